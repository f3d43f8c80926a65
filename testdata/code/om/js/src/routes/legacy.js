const { listingRepository: listings } = require('../om/listing.js');

async function save(entity) {
  return listings.save(entity); // expect: JSON.SET
}

module.exports = { save };
