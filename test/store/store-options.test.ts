import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultDataDir, storeOptionsFrom } from '../../src/store/index.js';

describe('storeOptionsFrom (--data / --db)', () => {
  it('defaults to SQLite in $SWITCHBOARD_DATA or ./data', () => {
    assert.deepEqual(storeOptionsFrom({}, {}), { kind: 'sqlite', dataDir: './data' });
    assert.deepEqual(storeOptionsFrom({}, { SWITCHBOARD_DATA: '/var/lib/sb' }), {
      kind: 'sqlite',
      dataDir: '/var/lib/sb',
    });
    assert.deepEqual(storeOptionsFrom({ data: 'x' }, { SWITCHBOARD_DB: 'postgres://h/db' }), {
      kind: 'sqlite',
      dataDir: 'x',
    });
    assert.equal(defaultDataDir({ SWITCHBOARD_DATA: '' }), './data');
  });

  it('takes a postgres URL from --db or $SWITCHBOARD_DB, with ?schema= as the schema', () => {
    assert.deepEqual(storeOptionsFrom({ db: 'postgresql://u:p@db.example:5433/sip?schema=edge1' }, {}), {
      kind: 'postgres',
      connectionString: 'postgresql://u:p@db.example:5433/sip',
      schema: 'edge1',
    });
    assert.deepEqual(storeOptionsFrom({}, { SWITCHBOARD_DB: 'postgres://h/db' }), {
      kind: 'postgres',
      connectionString: 'postgres://h/db',
    });
  });

  it('refuses both at once and non-postgres URLs with ERR_STORE_RECORD', () => {
    assert.throws(() => storeOptionsFrom({ db: 'postgres://h/d', data: 'x' }, {}), { code: 'ERR_STORE_RECORD' });
    assert.throws(() => storeOptionsFrom({ db: 'mysql://h/d' }, {}), { code: 'ERR_STORE_RECORD', message: /--db/ });
  });
});
