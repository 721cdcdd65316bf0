// Run by the mongodb-init Job with mongosh. Idempotent: safe on every apply. Credentials come from
// the environment (never the command line, where any process could read them).
const admin = db.getSiblingDB('admin');
admin.auth(process.env.MONGODB_ROOT_USERNAME, process.env.MONGODB_ROOT_PASSWORD);
// 1. The replica set: the image's first boot leaves mongod without one.
// 2. The user main-app and Dapr's state store connect as: readWrite on their two databases only.
const member = process.env.MONGODB_MEMBER;
const replSet = process.env.MONGODB_REPLICA_SET;
try {
  rs.status();
  print(`replica set ${replSet} already initiated`);
} catch (e) {
  if (e.codeName !== 'NotYetInitialized') throw e;
  rs.initiate({ _id: replSet, members: [{ _id: 0, host: member }] });
  print(`replica set ${replSet} initiated with ${member}`);
}
// Writes need a primary: wait for the election.
for (let i = 0; !db.hello().isWritablePrimary; i++) {
  if (i > 120) throw new Error('no primary after 60 s');
  sleep(500);
}
const user = process.env.MONGODB_APP_USERNAME;
const roles = [
  { role: 'readWrite', db: 'vidp' },
  { role: 'readWrite', db: 'daprStore' },
];
if (admin.getUser(user)) {
  admin.updateUser(user, { pwd: process.env.MONGODB_APP_PASSWORD, roles });
  print(`user ${user} updated`);
} else {
  admin.createUser({ user, pwd: process.env.MONGODB_APP_PASSWORD, roles });
  print(`user ${user} created`);
}
