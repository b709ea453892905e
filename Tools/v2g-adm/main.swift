print("v2g-adm: not built yet")
