package com.example.telemetry

import io.lettuce.core.RedisClient

class Telemetry(private val client: RedisClient) {
    private val commands = client.connect().sync()

    fun record(key: String, value: Double) {
        commands.jsonSet(key, "$", """{"v": $value}""") // expect: JSON.SET
        commands.hexpire(key, 60, "field") // expect: HEXPIRE
        val raw = """
            FT.SEARCH is written here inside a raw string and is not a call
        """.trimIndent()
        println(raw)
    }
}
