<?php
// Decoy: Laravel-style JSON responses next to a Redis facade.
use Illuminate\Support\Facades\Redis;

class ItemController
{
    public function show($request)
    {
        $payload = $request->json()->get('item');
        $json = json_encode(['ft' => 1]);
        Redis::set('last', $json);
        $data = json_decode($json, true);
        # JSON.SET in a hash comment
        return response()->json(['data' => $data, 'payload' => $payload]);
    }
}
