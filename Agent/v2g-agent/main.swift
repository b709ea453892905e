print("v2g-agent: not built yet")
