package com.acme

class Digest(private val listings: ListingRepository) {
    fun district(d: String) = listings.findByDistrict(d) // expect: FT.SEARCH
}
