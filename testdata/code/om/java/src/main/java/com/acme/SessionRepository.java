package com.acme;

import com.redis.om.spring.repository.RedisEnhancedRepository;

public interface SessionRepository extends RedisEnhancedRepository<Session, String> {
}
