import { Repository, Schema } from 'redis-om';
import { redis } from '../redis';

export const listingSchema = new Schema('listing', { // expect: FT.CREATE
  city: { type: 'string' },
  title: { type: 'text' },
});

export const listingRepository: Repository = new Repository(listingSchema, redis); // expect: FT.SEARCH JSON.SET
