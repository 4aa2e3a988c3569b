DROP TABLE policy_reminders;
DROP TABLE policy_acceptances;
DROP TABLE policies;
