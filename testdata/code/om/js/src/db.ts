import { AppDataSource } from './data-source';
import { User } from './user';

// TypeORM: a repository with find/save of its own, nothing to do with Redis.
export const userRepository = AppDataSource.getRepository(User);
