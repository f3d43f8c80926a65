output "sessions_endpoint" {
  value = module.sessions_cache.replication_group_primary_endpoint_address
}

output "catalog_configuration_endpoint" {
  value = module.catalog_cache.endpoint
}

output "notifications_endpoint" {
  value = aws_elasticache_replication_group.notifications.primary_endpoint_address
}
