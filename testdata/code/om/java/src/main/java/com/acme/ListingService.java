package com.acme;

import java.util.List;
import org.springframework.stereotype.Service;

@Service
public class ListingService {
    private final ListingRepository listings;
    private final SessionRepository sessions;
    private final UserRepository users;

    public ListingService(ListingRepository listings, SessionRepository sessions, UserRepository users) {
        this.listings = listings;
        this.sessions = sessions;
        this.users = users;
    }

    public List<Listing> inCity(String city) {
        return listings.findByCity(city); // expect: FT.SEARCH
    }

    public Listing one(String id) {
        return this.listings.findById(id).orElseThrow(); // expect: JSON.GET
    }

    public void store(Listing l) {
        listings.save(l); // expect: JSON.SET
        listings.deleteById(l.getId());
    }

    public Object session(String id, String user) {
        // A hash repository: findById reads a hash (HGETALL), its finders query the index.
        sessions.findById(id);
        users.findByEmail(user);
        return sessions.findByUser(user); // expect: FT.SEARCH
    }
}
