DROP TABLE staff_review_items;
DROP TABLE staff_review_campaigns;
DROP TABLE staff_review_plan;
