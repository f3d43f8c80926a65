package com.acme;

import com.redis.om.spring.repository.RedisDocumentRepository;

public interface ListingRepository extends RedisDocumentRepository<Listing, String> {} // expect: FT.SEARCH JSON.SET
