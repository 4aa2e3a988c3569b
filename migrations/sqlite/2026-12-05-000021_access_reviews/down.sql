DROP TABLE review_item_reviewers;
DROP TABLE review_items;
DROP TABLE review_campaigns;
DROP TABLE review_plans;
