"""Analysis over scored leads: metrics, model comparison, the sales queue, made-up leads."""
