print("v2g-sim: not built yet (issue 3)")
