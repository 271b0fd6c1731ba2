// No test reaches the internet: nock lets only loopback through (real Postgres, Redis, the app).
import nock from 'nock';
import { afterAll } from 'vitest';

nock.disableNetConnect();
nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost|\[::1\]|::1)(:\d+)?$/.test(host));

afterAll(() => {
  nock.cleanAll();
});
