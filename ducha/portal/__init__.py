"""The public site (政务服务门户): its own process, URL configuration and database role."""
