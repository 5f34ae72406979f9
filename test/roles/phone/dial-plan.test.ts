/**
 * The dial plan against the Cisco SIP phone administration guide: pattern characters, the
 * longest-literal rule, Rewrite with %s, %1..%5 and one-at-a-time periods, routes, and errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DialPlan } from '../../../src/roles/phone/index.js';
import { ConfigError } from '../../../src/util/index.js';

const XML = `<DIALTEMPLATE>
  <!-- emergency first -->
  <TEMPLATE MATCH="911" Timeout="0" User="Phone" Route="emergency"/>
  <TEMPLATE MATCH="9.T" Timeout="0" Route="emergency"/>
  <TEMPLATE MATCH="1408......." Timeout="0" User="Phone" Rewrite="9%s"/>
  <TEMPLATE MATCH="2xxx" Timeout="2"/>
  <TEMPLATE MATCH="ab..cd..ef*" Timeout="0" Rewrite="919%1%2%3"/>
  <TEMPLATE MATCH="*" Timeout="5"/>
</DIALTEMPLATE>`;

describe('DialPlan (Cisco dialplan.xml)', () => {
  const plan = DialPlan.fromXml(XML);

  it('reads every template with its attributes', () => {
    assert.equal(plan.templates.length, 6);
    assert.deepEqual(plan.templates[0], {
      match: '911',
      timeout: 0,
      route: 'emergency',
      user: 'phone',
      rewrite: undefined,
    });
    assert.equal(plan.templates[5]?.timeout, 5);
  });

  it('takes the longest literal match (periods do not count), emergency routes and ;user=phone', () => {
    assert.deepEqual(
      [plan.match('911')?.route, plan.match('911')?.user, plan.match('911')?.template.match],
      ['emergency', 'phone', '911'],
    );
    // "911" also matches "9.T" and "*": the literal 911 wins.
    assert.equal(plan.match('9123')?.template.match, '9.T');
    assert.equal(plan.match('9123')?.route, 'emergency');
    assert.equal(plan.match('14085551234')?.template.match, '1408.......');
    assert.equal(plan.match('14085551234')?.number, '914085551234', 'Rewrite %s');
    assert.equal(plan.match('2345')?.template.match, '2xxx');
    assert.equal(plan.match('2a45')?.template.match, '*', 'x is a digit only');
    assert.equal(plan.match('5551234')?.route, 'default');
    assert.equal(plan.match('5551234')?.number, '5551234');
  });

  it('rewrites with %1..%5 groups and one-at-a-time periods, as the Cisco guide shows', () => {
    assert.equal(plan.match('ab12cd34ef5678')?.number, '91912345678');
    const dots = new DialPlan([{ match: 'ab..cd..ef*', timeout: 0, route: 'default', rewrite: 'X.Y.Z...' }]);
    assert.equal(dots.match('ab12cd34ef5678')?.number, 'X1Y2Z345');
    const mixed = new DialPlan([{ match: 'ab..cd..ef*', timeout: 0, route: 'default', rewrite: 'AB...X%1X..' }]);
    assert.equal(mixed.match('ab12cd34ef5678')?.number, 'AB123X12X45');
  });

  it('needs the whole number to match; * needs at least one character; T may match nothing', () => {
    const p = new DialPlan([
      { match: '8*', timeout: 0, route: 'default' },
      { match: '7T', timeout: 0, route: 'default' },
      { match: '6..', timeout: 0, route: 'default' },
    ]);
    assert.equal(p.match('8'), undefined);
    assert.equal(p.match('81')?.template.match, '8*');
    assert.equal(p.match('7')?.template.match, '7T');
    assert.equal(p.match('7123')?.template.match, '7T');
    assert.equal(p.match('612')?.template.match, '6..');
    assert.equal(p.match('61'), undefined);
    assert.equal(p.match('6123'), undefined);
    assert.equal(p.match('\\*'), undefined);
    const star = new DialPlan([{ match: '\\*72.T', timeout: 0, route: 'default' }]);
    assert.equal(star.match('*72555')?.template.match, '\\*72.T');
    assert.equal(star.match('172555'), undefined);
  });

  it('ignores commas (secondary dial tone) and reads Snom <dialplan> too', () => {
    const snom = DialPlan.fromXml(
      '<dialplan e="2"><TEMPLATE MATCH="9,1.........." Timeout="0" User="Phone"/></dialplan>',
    );
    assert.equal(snom.match('912125551234')?.user, 'phone');
    assert.equal(snom.match('91212555123'), undefined);
  });

  it('refuses a dial plan without templates or with a bad attribute, naming it', () => {
    assert.throws(() => DialPlan.fromXml('<DIALTEMPLATE></DIALTEMPLATE>'), ConfigError);
    assert.throws(
      () => DialPlan.fromXml('<DIALTEMPLATE><TEMPLATE MATCH="1" Route="moon"/></DIALTEMPLATE>'),
      /dialPlan\[0\]\.Route: "moon" is not default or emergency/,
    );
    assert.throws(
      () => DialPlan.fromXml('<DIALTEMPLATE><TEMPLATE Timeout="1"/></DIALTEMPLATE>'),
      /dialPlan\[0\]\.MATCH: missing/,
    );
  });
});
