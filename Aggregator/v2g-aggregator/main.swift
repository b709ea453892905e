print("v2g-aggregator: not built yet (issue 4)")
