/**
 * The messages every parser in bench/parser reads: a typical INVITE with SDP as a proxy sees it
 * (three Vias, Record-Route, Contact with parameters, Allow, Supported, ~1 KB), the 200 OK that
 * answers it, and a REGISTER. CRLF line endings and correct Content-Length, as on the wire.
 */

const SDP = [
  'v=0',
  'o=alice 2890844526 2890844527 IN IP4 192.0.2.101',
  's=-',
  'c=IN IP4 192.0.2.101',
  't=0 0',
  'm=audio 49172 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=sendrecv',
  '',
].join('\r\n');

const ANSWER = [
  'v=0',
  'o=bob 2808844564 2808844564 IN IP4 192.0.2.4',
  's=-',
  'c=IN IP4 192.0.2.4',
  't=0 0',
  'm=audio 3456 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=sendrecv',
  '',
].join('\r\n');

function message(head: readonly string[], body: string): string {
  return `${head.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

export const INVITE = message(
  [
    'INVITE sip:bob@biloxi.example.com SIP/2.0',
    'Via: SIP/2.0/UDP proxy2.example.com:5060;branch=z9hG4bK721e418c4.1',
    'Via: SIP/2.0/UDP proxy1.example.com:5060;branch=z9hG4bK2d4790.1;received=192.0.2.111',
    'Via: SIP/2.0/UDP 192.0.2.101:5060;branch=z9hG4bK74bf9;received=192.0.2.101;rport=5060',
    'Max-Forwards: 68',
    'Record-Route: <sip:proxy2.example.com;lr>, <sip:proxy1.example.com;lr>',
    'From: "Alice Liddell" <sip:alice@atlanta.example.com>;tag=9fxced76sl',
    'To: Bob <sip:bob@biloxi.example.com>',
    'Call-ID: 3848276298220188511@atlanta.example.com',
    'CSeq: 31862 INVITE',
    'Contact: <sip:alice@192.0.2.101:5060;transport=udp>;+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"',
    'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, UPDATE, PRACK',
    'Supported: replaces, timer, 100rel, path',
    'Session-Expires: 1800;refresher=uac',
    'User-Agent: Switchboard-Bench/1.0',
    'Content-Type: application/sdp',
  ],
  SDP,
);

export const OK_200 = message(
  [
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/UDP proxy2.example.com:5060;branch=z9hG4bK721e418c4.1;received=192.0.2.222',
    'Via: SIP/2.0/UDP proxy1.example.com:5060;branch=z9hG4bK2d4790.1;received=192.0.2.111',
    'Via: SIP/2.0/UDP 192.0.2.101:5060;branch=z9hG4bK74bf9;received=192.0.2.101;rport=5060',
    'Record-Route: <sip:proxy2.example.com;lr>, <sip:proxy1.example.com;lr>',
    'From: "Alice Liddell" <sip:alice@atlanta.example.com>;tag=9fxced76sl',
    'To: Bob <sip:bob@biloxi.example.com>;tag=8321234356',
    'Call-ID: 3848276298220188511@atlanta.example.com',
    'CSeq: 31862 INVITE',
    'Contact: <sip:bob@192.0.2.4:5060;transport=udp>',
    'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, UPDATE',
    'Supported: replaces, timer',
    'Require: timer',
    'Session-Expires: 1800;refresher=uac',
    'Server: Switchboard-Bench/1.0',
    'Content-Type: application/sdp',
  ],
  ANSWER,
);

export const REGISTER = message(
  [
    'REGISTER sip:registrar.biloxi.example.com SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bKnashds7;rport',
    'Max-Forwards: 70',
    'From: Bob <sip:bob@biloxi.example.com>;tag=a73kszlfl',
    'To: Bob <sip:bob@biloxi.example.com>',
    'Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.4',
    'CSeq: 2 REGISTER',
    'Contact: <sip:bob@192.0.2.4:5060;transport=udp>;expires=3600;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1',
    'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY',
    'Supported: path, outbound, gruu',
    'User-Agent: Switchboard-Bench/1.0',
    'Expires: 3600',
  ],
  '',
);

export const MESSAGES: readonly { readonly name: string; readonly text: string }[] = [
  { name: 'INVITE+SDP', text: INVITE },
  { name: '200 OK+SDP', text: OK_200 },
  { name: 'REGISTER', text: REGISTER },
];
