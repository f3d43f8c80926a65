package com.example.om;

import com.redis.om.spring.annotations.Document;
import com.redis.om.spring.annotations.Indexed;
import com.redis.om.spring.annotations.Searchable;
import com.redis.om.spring.repository.RedisDocumentRepository;

@Document // expect: JSON.SET
public class Person {
    @Indexed // expect: FT.CREATE
    private String lastName;

    @Searchable // expect: FT.CREATE
    private String bio;
}

interface PersonRepository extends RedisDocumentRepository<Person, String> {} // expect: FT.SEARCH JSON.SET
