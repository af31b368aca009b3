"""The store's own registers the seeds keep on paper: lost and found (失物招领), staff training
and the daily etiquette checks (员工服务礼仪规范), and the voice of the customer (顾客之声)."""
