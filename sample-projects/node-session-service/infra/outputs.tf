output "redis_url" {
  description = "REDIS_URL for the service (TLS)"
  value       = "rediss://${aws_elasticache_replication_group.sessions.primary_endpoint_address}:6379"
}
