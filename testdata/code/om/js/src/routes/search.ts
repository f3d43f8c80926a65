import { listingRepository } from '../om/listing';
import { userRepository } from '../db';

export async function search(city: string) {
  const users = await userRepository.find({ where: { city } });
  const hits = await listingRepository.search().where('city').eq(city).return.all(); // expect: FT.SEARCH
  return { users, hits };
}

export async function byId(id: string) {
  return listingRepository.fetch(id); // expect: JSON.GET
}

export async function setup() {
  await listingRepository.createIndex(); // expect: FT.CREATE
}
