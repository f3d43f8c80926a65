<?php

use Predis\Client;

final class Catalog
{
    private Client $client;

    public function __construct()
    {
        $this->client = new Client('tcp://127.0.0.1:6379');
    }

    public function find(string $q): array
    {
        $this->client->ftcreate('idx:catalog', []); // expect: FT.CREATE
        $hits = $this->client->ftsearch('idx:catalog', $q); // expect: FT.SEARCH
        $this->client->jsonset('item:1', '$', json_encode(['a' => 1])); // expect: JSON.SET
        $this->client->executeRaw(['TS.CREATE', 'metrics:hits']); // expect: TS.CREATE
        $redis = new \Redis();
        $redis->rawCommand('FT.TAGVALS', 'idx:catalog', 'color'); // expect: FT.TAGVALS
        return $hits;
    }
}
