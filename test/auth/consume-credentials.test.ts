/** A proxy removing the credentials it checked, keeping the others. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consumeCredentials } from '../../src/auth/index.js';
import { request } from './wire.js';

describe('consumeCredentials', () => {
  it("removes the proxy's own realm and keeps other realms and schemes in order", () => {
    const req = request({
      method: 'INVITE',
      headers: [
        ['Proxy-Authorization', 'Digest username="a", realm="edge.example.net", nonce="1", uri="sip:x", response="00"'],
        ['Proxy-Authorization', 'Digest username="a", realm="core.example.net", nonce="2", uri="sip:x", response="00"'],
        ['Proxy-Authorization', 'Bearer abc'],
        ['Authorization', 'Digest username="a", realm="edge.example.net", nonce="3", uri="sip:x", response="00"'],
      ],
    });
    assert.equal(consumeCredentials(req, 'edge.example.net'), 1);
    assert.deepEqual(req.getRaw('Proxy-Authorization'), [
      'Digest username="a", realm="core.example.net", nonce="2", uri="sip:x", response="00"',
      'Bearer abc',
    ]);
    assert.equal(req.count('authorization'), 1, 'Authorization is for the UAS');
    assert.equal(consumeCredentials(req, 'edge.example.net'), 0);
    assert.equal(consumeCredentials(req, 'edge.example.net', false), 1);
    assert.equal(req.count('authorization'), 0);
  });
});
