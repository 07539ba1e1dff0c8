#!/usr/bin/env node
// Interop test: the real ussdgw daemon (ESME) against an independent SMPP 3.4
// implementation, npm's `smpp` package, playing the SMSC.
//
//   node smsc_interop.js --daemon PATH [--menus DIR] [--db PATH] [--admin PATH] [--verbose]
//
// Scenario C needs the demo store (subscribers 79160000001..5): it makes its
// own with ussdgw-admin (`--admin`, default: ussdgw-admin next to --daemon),
// whatever --db says, and reads the archive with it afterwards.
//
// Every wait has a deadline and says what it expected and what arrived; there
// are no sleeps (the one "nothing must arrive" check is a timer). On failure
// the daemon is killed, its log tail and the PDUs seen on the wire are printed
// as hex. Exit 0 when everything passed, 1 otherwise; the last line is
// "N passed, M failed".
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const smpp = require('smpp');

// ---------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const out = { daemon: null, menus: null, db: null, admin: null, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--daemon') out.daemon = value();
    else if (a === '--menus') out.menus = value();
    else if (a === '--db') out.db = value();
    else if (a === '--admin') out.admin = value();
    else if (a === '--verbose' || a === '-v') out.verbose = true;
    else if (a === '--help' || a === '-h') usage(null);
    else usage(`unknown argument ${a}`);
  }
  if (!out.daemon) usage('--daemon PATH is required');
  // The daemon runs in a scratch directory (cwd), so relative paths given here
  // must be made absolute first, or `--daemon build/ussdgw --menus menus` from
  // the repository root would name files that do not exist there.
  for (const k of ['daemon', 'menus', 'db', 'admin']) if (out[k]) out[k] = path.resolve(out[k]);
  if (!out.admin) out.admin = path.join(path.dirname(out.daemon), 'ussdgw-admin');
  return out;
}

function usage(error) {
  const text = 'usage: node smsc_interop.js --daemon PATH [--menus DIR] [--db PATH] [--admin PATH] [--verbose]';
  if (error) {
    console.error(`smsc_interop: ${error}\n${text}`);
    process.exit(2);
  }
  console.log(text);
  process.exit(0);
}

const args = parseArgs(process.argv.slice(2));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ussdgw-interop-'));

// ---------------------------------------------------------------------------
// npm smpp quirks, worked around here (smpp 0.5.1, lib/defs.js and lib/pdu.js):
//
// 1. its_session_info (0x1383) is declared as type `buffer`, not int16, so it is
//    written and read as raw octets. We pass a 2-octet Buffer and read one back;
//    no addTLV() override is needed. ussd_service_op (0x0501) is int8: fine.
// 2. The short_message filter decodes with `data_coding & 0x0F`: 0x0F (USSD GSM7)
//    maps to no known encoding and stays a Buffer, 0 is decoded as GSM 03.38,
//    8 as UCS-2. On encode, a string with data_coding unset is labelled 0x01
//    (its "ASCII" is really GSM 03.38). We want to judge the daemon's octets
//    ourselves, so we drop the filter for the PDUs we receive (submit_sm: raw
//    Buffer) and always send short_message as a Buffer with an explicit
//    data_coding (a Buffer passes the encode filter untouched).
// 3. There is no raw-bytes send. An unknown command_id is sent by registering
//    a body-less command with smpp.addCommand() (its public API for vendor
//    commands), which the package then sends as a 16-octet header.
// 4. A response with a non-zero command_status is encoded header only (no
//    body). For bind_transceiver_resp that is what SMPP 3.4 section 4.1.6 allows.
// 5. The session never logs raw bytes; we tap socket.read/socket.write to keep
//    a hex trace of every PDU for failure reports.
// 6. smpp.Server hands out Node sockets with Nagle on. A PDU we write right
//    after a small response then waits for the peer's delayed ACK (~40 ms per
//    exchange, measured); we set noDelay on each accepted socket, as a real
//    SMSC (and the daemon itself, docs/architecture.md) does.
delete smpp.commands.submit_sm.params.short_message.filter;
const UNKNOWN_COMMAND_ID = 0x00000099; // reserved in SMPP 3.4, not a command
smpp.addCommand('interop_unknown_cmd', { id: UNKNOWN_COMMAND_ID });

const TAG_MESSAGE_PAYLOAD = 0x0424;
const OP_PSSR_IND = 1;
const OP_USSR_REQ = 2;
const OP_PSSR_RESP = 17;
const OP_USSR_CONF = 18;
const OP_VENDOR_RELEASE = 0x81;
const ESME_RINVPASWD = 0x0e;
const ESME_RINVCMDID = 0x03;

// ---------------------------------------------------------------------------
// Result bookkeeping

let passed = 0;
let failed = 0;
const results = [];

function pass(name, detail) {
  passed++;
  results.push(['PASS', name]);
  console.log(`PASS ${name}${detail ? ': ' + detail : ''}`);
}

function fail(name, error) {
  failed++;
  results.push(['FAIL', name]);
  console.log(`FAIL ${name}: ${error && error.message ? error.message : error}`);
}

function notRun(name, why) {
  failed++;
  results.push(['NOT RUN', name]);
  console.log(`NOT RUN (counted as failed) ${name}: ${why}`);
}

class Failure extends Error {}

function check(cond, message) {
  if (!cond) throw new Failure(message);
}

// ---------------------------------------------------------------------------
// Text decoding, independent of the package: the data_coding values the
// daemon's default SMSC profile sends (0x00 and 0x0F GSM 7-bit unpacked, 0x08
// UCS-2 big-endian; docs/smsc-profiles.md).

// GSM 03.38 default alphabet, one septet per octet (unpacked).
const GSM7 =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXT = { 0x0a: '\f', 0x14: '^', 0x28: '{', 0x29: '}', 0x2f: '\\', 0x3c: '[', 0x3d: '~', 0x3e: ']', 0x40: '|', 0x65: '€' };

function decodeGsm7Unpacked(buf) {
  let s = '';
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c > 0x7f) return { error: `octet 0x${hex8(c)} at ${i} is not a septet` };
    if (c === 0x1b && i + 1 < buf.length) {
      s += GSM7_EXT[buf[++i]] ?? ' ';
      continue;
    }
    s += GSM7[c];
  }
  return { text: s };
}

function decodeText(octets, dc) {
  if (dc === 0x08) {
    if (octets.length % 2) return { error: `odd UCS-2 length ${octets.length}` };
    let s = '';
    for (let i = 0; i < octets.length; i += 2) s += String.fromCharCode(octets.readUInt16BE(i));
    return { text: s };
  }
  if (dc === 0x00 || dc === 0x0f) return decodeGsm7Unpacked(octets);
  return { error: `unexpected data_coding 0x${hex8(dc)}` };
}

// Raw short_message octets of a received submit_sm, or message_payload if used instead.
function smOctets(pdu) {
  let sm = pdu.short_message;
  if (sm && !Buffer.isBuffer(sm) && sm.message !== undefined) sm = sm.message;
  if (Buffer.isBuffer(sm) && sm.length) return sm;
  const mp = pdu.message_payload ?? pdu[TAG_MESSAGE_PAYLOAD];
  if (mp) {
    if (Buffer.isBuffer(mp)) return mp;
    if (Buffer.isBuffer(mp.message)) return mp.message;
  }
  return Buffer.isBuffer(sm) ? sm : Buffer.alloc(0);
}

function hex8(n) {
  return n.toString(16).padStart(2, '0');
}
function hex32(n) {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

// ---------------------------------------------------------------------------
// Wire trace: every PDU in both directions, as hex, for failure reports.

const trace = [];
function record(dir, buf) {
  const id = buf.length >= 8 ? buf.readUInt32BE(4) : 0;
  const name = (smpp.commandsById[id] && smpp.commandsById[id].command) || hex32(id);
  const line = `${new Date().toISOString()} ${dir} ${name} ${buf.toString('hex')}`;
  trace.push(line);
  if (args.verbose) console.log(`  wire ${line}`);
}

function tapSocket(socket) {
  // The package reads a 4-octet length, then the rest of the PDU, with
  // socket.read(n); glue those reads back into whole PDUs.
  let pending = [];
  let want = 0;
  const read = socket.read.bind(socket);
  socket.read = (n) => {
    const b = read(n);
    if (b) {
      if (!pending.length) want = b.length >= 4 ? b.readUInt32BE(0) : 0;
      pending.push(b);
      const got = pending.reduce((a, x) => a + x.length, 0);
      if (want && got >= want) {
        record('<-daemon', Buffer.concat(pending));
        pending = [];
      }
    }
    return b;
  };
  const write = socket.write.bind(socket);
  socket.write = (data, ...rest) => {
    if (Buffer.isBuffer(data)) record('->daemon', data);
    return write(data, ...rest);
  };
}

function describe(pdu) {
  if (!pdu) return 'nothing';
  if (pdu.sequence_number === undefined) {
    return `${pdu.command}${pdu.detail ? ' (' + pdu.detail + ')' : ''}${pdu.error ? ' (' + pdu.error.message + ')' : ''}`;
  }
  const parts = [`${pdu.command} seq=${pdu.sequence_number} status=${hex32(pdu.command_status)}`];
  if (pdu.command === 'submit_sm') {
    parts.push(`from=${pdu.source_addr} to=${pdu.destination_addr} dc=0x${hex8(pdu.data_coding)}`);
    if (pdu.ussd_service_op !== undefined) parts.push(`ussd_service_op=${pdu.ussd_service_op}`);
    if (pdu.its_session_info !== undefined) parts.push(`its_session_info=${Buffer.from(pdu.its_session_info).toString('hex')}`);
  }
  return parts.join(' ');
}

// ---------------------------------------------------------------------------
// The SMSC side: one smpp.Server, an inbox of PDUs from the daemon.

class Smsc {
  constructor() {
    this.server = smpp.createServer();
    this.session = null;
    this.inbox = [];
    this.waiters = [];
    this.sessions = 0;
    this.closed = false;
    this.server.on('session', (session) => this.onSession(session));
    this.server.on('error', (e) => this.push({ command: 'server_error', error: e }));
  }

  listen() {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve(this.server.address().port));
    });
  }

  onSession(session) {
    this.sessions++;
    this.session = session;
    const connection = this.sessions;
    tapSocket(session.socket);
    // Node leaves Nagle on for accepted sockets (quirk 6): without this, a
    // request written right after a response waits ~40 ms for the daemon's
    // delayed ACK (seen as 40 ms deliver_sm_resp/enquire_link_resp latency).
    session.socket.setNoDelay(true);
    session.on('error', (e) => this.push({ command: 'socket_error', error: e, connection }));
    session.on('close', () => this.push({ command: 'socket_closed', connection }));
    session.on('pdu', (pdu) => {
      pdu.connection = connection;
      pdu.session = session;
      pdu.at = Date.now();
      // The daemon's own keep-alive may come at any time; answer it out of band.
      if (pdu.command === 'enquire_link') {
        session.send(pdu.response());
        return;
      }
      this.push(pdu);
    });
  }

  push(event) {
    this.inbox.push(event);
    for (const w of [...this.waiters]) w();
  }

  // Resolves with the first inbox event matching `pred` (removing it), or
  // rejects at the deadline saying what was expected and what arrived.
  waitFor(pred, what, timeoutMs = 10000) {
    return new Promise((resolve, reject) => {
      const tryTake = () => {
        const i = this.inbox.findIndex(pred);
        if (i < 0) {
          const gone = this.inbox.find((e) => e.command === 'daemon_exited');
          if (!gone) return false;
          done();
          reject(new Failure(`expected ${what}, but the daemon exited (${gone.detail})`));
          return true;
        }
        const [ev] = this.inbox.splice(i, 1);
        done();
        resolve(ev);
        return true;
      };
      const waiter = () => tryTake();
      const timer = setTimeout(() => {
        done();
        const arrived = this.inbox.length ? this.inbox.map(describe).join('; ') : 'nothing';
        reject(new Failure(`expected ${what} within ${timeoutMs} ms; unconsumed arrivals: ${arrived}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        const k = this.waiters.indexOf(waiter);
        if (k >= 0) this.waiters.splice(k, 1);
      };
      this.waiters.push(waiter);
      tryTake();
    });
  }

  // Resolves after `ms` if no event matching `pred` arrived, else rejects.
  expectNothing(pred, what, ms) {
    return new Promise((resolve, reject) => {
      const look = () => {
        const ev = this.inbox.find(pred);
        if (!ev) return false;
        done();
        reject(new Failure(`expected no ${what} within ${ms} ms, got: ${describe(ev)}`));
        return true;
      };
      const waiter = () => look();
      const timer = setTimeout(() => {
        done();
        resolve();
      }, ms);
      const done = () => {
        clearTimeout(timer);
        const k = this.waiters.indexOf(waiter);
        if (k >= 0) this.waiters.splice(k, 1);
      };
      this.waiters.push(waiter);
      look();
    });
  }

  // Sends a request and waits for the response with its sequence_number.
  request(command, options, what, timeoutMs = 10000) {
    const session = this.session;
    check(session && session.socket.writable, `no open SMPP connection to send ${command} on`);
    const pdu = new smpp.PDU(command, options);
    session.send(pdu);
    const seq = pdu.sequence_number;
    return this.waitFor((p) => p.isResponse && p.isResponse() && p.sequence_number === seq,
      `${what} (response to ${command} seq=${seq})`, timeoutMs).then((resp) => ({ pdu, resp }));
  }

  close() {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const s of [...this.server.sessions]) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------
// The daemon under test.

class Daemon {
  // `store`: a database of the scenario's own (scenario C's demo store), else --db.
  constructor(port, name, smsc, store = null) {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    const menus = args.menus || fs.mkdtempSync(path.join(dir, 'menus-'));
    const db = store || args.db || path.join(dir, 'ussdgw.db'); // scenarios run one after the other
    this.argv = ['--smsc', `127.0.0.1:${port}`, '--system-id', 'ussdgw', '--password', 'secret',
      '--db', db, '--menus', menus, '--log-level', 'debug'];
    this.lines = [];
    this.watchers = [];
    this.exit = null;
    this.child = spawn(args.daemon, this.argv, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exit = { code, signal, at: Date.now() };
        this.note(`(daemon exited code=${code} signal=${signal})`);
        smsc.push({ command: 'daemon_exited', detail: `code=${code} signal=${signal}` });
        resolve(this.exit);
      });
      this.child.on('error', (e) => {
        this.exit = { code: null, signal: null, error: e, at: Date.now() };
        this.note(`(daemon failed to start: ${e.message})`);
        smsc.push({ command: 'daemon_exited', detail: `spawn failed: ${e.message}` });
        resolve(this.exit);
      });
    });
    let partial = '';
    const onData = (chunk) => {
      partial += chunk.toString('utf8');
      let nl;
      while ((nl = partial.indexOf('\n')) >= 0) {
        this.note(partial.slice(0, nl));
        partial = partial.slice(nl + 1);
      }
    };
    this.child.stderr.on('data', onData);
    this.child.stdout.on('data', onData);
  }

  note(line) {
    this.lines.push(line);
    if (args.verbose) console.log(`  daemon ${line}`);
    for (const w of [...this.watchers]) w();
  }

  waitForLog(re, what, timeoutMs = 10000) {
    return new Promise((resolve, reject) => {
      let from = 0;
      const look = () => {
        for (; from < this.lines.length; from++) {
          if (re.test(this.lines[from])) {
            done();
            resolve(this.lines[from]);
            return;
          }
        }
        if (this.exit) {
          done();
          reject(new Failure(`expected ${what} in the daemon log, but the daemon exited (code=${this.exit.code} signal=${this.exit.signal})`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Failure(`expected ${what} in the daemon log within ${timeoutMs} ms; last lines:\n${this.tail(8)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        const k = this.watchers.indexOf(look);
        if (k >= 0) this.watchers.splice(k, 1);
      };
      this.watchers.push(look);
      look();
    });
  }

  waitExit(timeoutMs) {
    let timer;
    return Promise.race([
      this.exited.then((e) => {
        clearTimeout(timer);
        return e;
      }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Failure(`expected the daemon to exit within ${timeoutMs} ms; it is still running`)), timeoutMs);
      }),
    ]);
  }

  kill() {
    if (!this.exit) this.child.kill('SIGKILL');
    return this.exited;
  }

  tail(n) {
    return this.lines.slice(-n).map((l) => '    ' + l).join('\n');
  }
}

const daemons = [];
process.on('exit', () => {
  for (const d of daemons) if (!d.exit) d.child.kill('SIGKILL');
});

// ---------------------------------------------------------------------------
// Steps

// Runs the named steps in order; after the first failure the rest are not run
// (they depend on the link state the failed step left behind).
async function scenario(title, steps, cleanup) {
  console.log(`# ${title}`);
  trace.length = 0; // each scenario's failure dump shows its own PDUs only
  let broken = null;
  for (const [name, fn] of steps) {
    if (broken) {
      notRun(name, `earlier step "${broken}" failed`);
      continue;
    }
    try {
      const detail = await fn();
      pass(name, detail);
    } catch (e) {
      fail(name, e);
      if (!(e instanceof Failure)) console.log(e.stack);
      broken = name;
    }
  }
  await cleanup(!!broken);
  return !broken;
}

function dumpOnFailure(daemon) {
  console.log('  --- daemon log (last 40 lines) ---');
  console.log(daemon.tail(40));
  console.log('  --- wire trace (last 30 PDUs, hex) ---');
  for (const l of trace.slice(-30)) console.log('    ' + l);
}

async function mainScenario() {
  const smsc = new Smsc();
  const port = await smsc.listen();
  console.log(`  smpp.Server (npm smpp ${require('smpp/package.json').version}) listening on 127.0.0.1:${port}`);
  const daemon = new Daemon(port, 'main', smsc);
  daemons.push(daemon);
  let ussdReply = null;

  const steps = [
    ['1. bind_transceiver accepted (system_id, password checked, ESME_ROK)', async () => {
      const bind = await smsc.waitFor((p) => p.command === 'bind_transceiver' || p.command === 'socket_closed',
        'a bind_transceiver from the daemon');
      check(bind.command === 'bind_transceiver', `expected bind_transceiver, got ${describe(bind)}`);
      check(bind.system_id === 'ussdgw', `system_id: expected 'ussdgw', got '${bind.system_id}'`);
      check(bind.password === 'secret', `password: expected 'secret', got '${bind.password}'`);
      check(bind.interface_version === 0x34, `interface_version: expected 0x34, got 0x${hex8(bind.interface_version)}`);
      bind.session.send(bind.response({ system_id: 'npmsmsc' }));
      await daemon.waitForLog(/\bbound\b/, "a line containing 'bound'");
      return `system_id=${bind.system_id} system_type='${bind.system_type}' interface_version=0x34`;
    }],

    ['2. USSD *111# (op 1, its_session_info 0x0500) -> deliver_sm_resp ok + submit_sm op 2/17', async () => {
      const { resp } = await smsc.request('deliver_sm', {
        service_type: 'USSD',
        source_addr_ton: 1, source_addr_npi: 1, source_addr: '79160000001',
        dest_addr_ton: 0, dest_addr_npi: 0, destination_addr: '111',
        data_coding: 0x0f,
        short_message: Buffer.from('*111#', 'ascii'), // GSM7 unpacked == ASCII for these
        ussd_service_op: OP_PSSR_IND,
        its_session_info: Buffer.from([0x05, 0x00]), // session 5, sequence 0 (quirk 1)
      }, 'deliver_sm_resp');
      check(resp.command === 'deliver_sm_resp', `expected deliver_sm_resp, got ${describe(resp)}`);
      check(resp.command_status === 0, `deliver_sm_resp status: expected 0, got ${hex32(resp.command_status)}`);
      const sub = await smsc.waitFor((p) => p.command === 'submit_sm', 'a submit_sm with the USSD screen');
      sub.session.send(sub.response({ message_id: 'ussd-1' }));
      check(sub.destination_addr === '79160000001', `destination_addr: expected 79160000001, got '${sub.destination_addr}'`);
      check(sub.ussd_service_op === OP_USSR_REQ || sub.ussd_service_op === OP_PSSR_RESP,
        `ussd_service_op: expected 2 or 17, got ${sub.ussd_service_op}`);
      if (sub.its_session_info !== undefined) {
        const its = Buffer.from(sub.its_session_info);
        check(its.length === 2, `its_session_info: expected 2 octets, got ${its.toString('hex')}`);
        check(its[0] === 5, `its_session_info: expected session 5 in the high octet, got ${its.toString('hex')}`);
        const endBit = its[1] & 1;
        check(endBit === (sub.ussd_service_op === OP_PSSR_RESP ? 1 : 0),
          `its_session_info end bit ${endBit} disagrees with ussd_service_op ${sub.ussd_service_op} (${its.toString('hex')})`);
      }
      const octets = smOctets(sub);
      const dec = decodeText(octets, sub.data_coding);
      check(!dec.error, `text (dc=0x${hex8(sub.data_coding)}, ${octets.toString('hex')}): ${dec.error}`);
      check(dec.text.length > 0, 'text: expected a non-empty screen, got an empty one');
      ussdReply = sub;
      console.log(`  USSD screen (op ${sub.ussd_service_op}, dc=0x${hex8(sub.data_coding)}, ` +
        `its_session_info=${sub.its_session_info !== undefined ? Buffer.from(sub.its_session_info).toString('hex') : 'absent'}): ${JSON.stringify(dec.text)}`);
      return `from=${sub.source_addr} service_type='${sub.service_type}' op=${sub.ussd_service_op}`;
    }],

    ['3. user release (op 0x81, session 5) -> deliver_sm_resp only, no submit_sm within 1 s', async () => {
      // The brief asks for this when the menu continues (op 2). When the daemon
      // already ended the dialog (op 17) we still send it: an SMSC may report a
      // release after the final screen, and the answer must be the same.
      const ended = ussdReply.ussd_service_op === OP_PSSR_RESP;
      const { resp } = await smsc.request('deliver_sm', {
        service_type: 'USSD',
        source_addr_ton: 1, source_addr_npi: 1, source_addr: '79160000001',
        destination_addr: '111',
        data_coding: 0x0f,
        short_message: Buffer.alloc(0),
        ussd_service_op: OP_VENDOR_RELEASE,
        its_session_info: Buffer.from([0x05, 0x05]), // session 5, sequence 2, end bit
      }, 'deliver_sm_resp to the release');
      check(resp.command === 'deliver_sm_resp' && resp.command_status === 0,
        `expected deliver_sm_resp status 0, got ${describe(resp)}`);
      await smsc.expectNothing((p) => p.command === 'submit_sm', 'submit_sm after a user release', 1000);
      return ended ? 'sent after an op 17 end (dialog already closed)' : 'sent mid-dialog (after op 2)';
    }],

    ['4. SMS "hello" 79160000002 -> 111 (dc 0, no ussd TLV) -> submit_sm reply', async () => {
      const { resp } = await smsc.request('deliver_sm', {
        source_addr_ton: 1, source_addr_npi: 1, source_addr: '79160000002',
        dest_addr_ton: 0, dest_addr_npi: 0, destination_addr: '111',
        data_coding: 0x00,
        short_message: Buffer.from('hello', 'ascii'),
      }, 'deliver_sm_resp to the SMS');
      check(resp.command === 'deliver_sm_resp' && resp.command_status === 0,
        `expected deliver_sm_resp status 0, got ${describe(resp)}`);
      const sub = await smsc.waitFor((p) => p.command === 'submit_sm', 'a submit_sm answering the SMS');
      sub.session.send(sub.response({ message_id: 'sms-1' }));
      check(sub.destination_addr === '79160000002', `destination_addr: expected 79160000002, got '${sub.destination_addr}'`);
      check(sub.source_addr && sub.source_addr.length > 0, 'source_addr: expected an operator short number, got an empty one');
      check(sub.ussd_service_op === undefined, `an SMS reply must not carry ussd_service_op (got ${sub.ussd_service_op})`);
      const octets = smOctets(sub);
      const dec = decodeText(octets, sub.data_coding);
      check(!dec.error, `text (dc=0x${hex8(sub.data_coding)}, ${octets.toString('hex')}): ${dec.error}`);
      check(dec.text.length > 0, 'text: expected a non-empty reply, got an empty one');
      console.log(`  SMS reply from ${sub.source_addr} (dc=0x${hex8(sub.data_coding)}): ${JSON.stringify(dec.text)}`);
      return `from=${sub.source_addr} to=${sub.destination_addr}`;
    }],

    ['5a. enquire_link -> enquire_link_resp', async () => {
      const { resp } = await smsc.request('enquire_link', {}, 'enquire_link_resp');
      check(resp.command === 'enquire_link_resp', `expected enquire_link_resp, got ${describe(resp)}`);
      check(resp.command_status === 0, `enquire_link_resp status: expected 0, got ${hex32(resp.command_status)}`);
    }],

    [`5b. unknown command_id ${hex32(UNKNOWN_COMMAND_ID)} -> generic_nack ESME_RINVCMDID`, async () => {
      const { pdu, resp } = await smsc.request('interop_unknown_cmd', {}, 'generic_nack');
      check(resp.command === 'generic_nack', `expected generic_nack, got ${describe(resp)}`);
      check(resp.sequence_number === pdu.sequence_number,
        `generic_nack sequence_number: expected ${pdu.sequence_number}, got ${resp.sequence_number}`);
      check(resp.command_status === ESME_RINVCMDID,
        `generic_nack status: expected ESME_RINVCMDID (0x00000003), got ${hex32(resp.command_status)}`);
      // The link must survive it.
      const again = await smsc.request('enquire_link', {}, 'enquire_link_resp after the generic_nack');
      check(again.resp.command === 'enquire_link_resp', `expected enquire_link_resp, got ${describe(again.resp)}`);
    }],

    ['6. SIGTERM -> unbind from the daemon, unbind_resp, exit 0 within 10 s', async () => {
      const t0 = Date.now();
      daemon.child.kill('SIGTERM');
      const unbind = await smsc.waitFor((p) => p.command === 'unbind' || p.command === 'socket_closed' || p.command === 'submit_sm',
        'an unbind from the daemon after SIGTERM');
      check(unbind.command === 'unbind', `expected unbind, got ${describe(unbind)}`);
      unbind.session.send(unbind.response());
      const exit = await daemon.waitExit(10000 - (Date.now() - t0));
      check(exit.code === 0, `expected exit code 0, got code=${exit.code} signal=${exit.signal}`);
      return `unbind after ${unbind.at - t0} ms, exit 0 after ${exit.at - t0} ms`;
    }],
  ];

  const ok = await scenario('scenario A: one bind, USSD, release, SMS, keep-alive, unknown command, shutdown', steps, async (broken) => {
    if (broken) dumpOnFailure(daemon);
    await daemon.kill();
    await smsc.close();
  });
  return ok;
}

async function backoffScenario() {
  const smsc = new Smsc();
  const port = await smsc.listen();
  const binds = [];
  const t0 = Date.now();
  const daemon = new Daemon(port, 'backoff', smsc);
  daemons.push(daemon);

  const takeBind = async (n) => {
    const bind = await smsc.waitFor((p) => p.command === 'bind_transceiver', `bind attempt #${n}`, 15000 - (Date.now() - t0));
    binds.push(bind);
    return bind;
  };

  const steps = [
    ['7a. bind #1 refused with ESME_RINVPASWD; daemon logs the refusal', async () => {
      const b = await takeBind(1);
      b.session.send(b.response({ command_status: ESME_RINVPASWD }));
      const line = await daemon.waitForLog(/ESME_RINVPASWD.*retry/i, 'the refusal logged with its status name ESME_RINVPASWD and a retry delay');
      check(/\d+\s*m?s\b/.test(line), `the refusal line names no retry delay: ${line}`);
      return line.replace(/^\S+ \S+ /, '');
    }],
    ['7b. bind #2 refused with ESME_RINVPASWD after a backoff > 200 ms', async () => {
      const b = await takeBind(2);
      const gap = b.at - binds[0].at;
      b.session.send(b.response({ command_status: ESME_RINVPASWD }));
      check(gap > 200, `the daemon retried after only ${gap} ms (expected > 200 ms: min backoff 500 ms, jitter to half)`);
      return `gap ${gap} ms`;
    }],
    ['7c. bind #3 accepted within 15 s of start; daemon logs bound', async () => {
      const b = await takeBind(3);
      const gap = b.at - binds[1].at;
      b.session.send(b.response({ system_id: 'npmsmsc' }));
      await daemon.waitForLog(/\bbound\b/, "a line containing 'bound'", 15000 - (Date.now() - t0));
      check(binds.length >= 3, `expected at least 3 bind attempts, saw ${binds.length}`);
      check(b.system_id === 'ussdgw' && b.password === 'secret', `bind #3 credentials changed: ${b.system_id}/${b.password}`);
      return `gap #2->#3 ${gap} ms, bound ${Date.now() - t0} ms after start, ${smsc.sessions} TCP connections`;
    }],
    ['7d. SIGTERM -> unbind, exit 0', async () => {
      const t1 = Date.now();
      daemon.child.kill('SIGTERM');
      const unbind = await smsc.waitFor((p) => p.command === 'unbind', 'an unbind after SIGTERM');
      unbind.session.send(unbind.response());
      const exit = await daemon.waitExit(10000 - (Date.now() - t1));
      check(exit.code === 0, `expected exit code 0, got code=${exit.code} signal=${exit.signal}`);
    }],
  ];

  return scenario('scenario B: bind refused twice (ESME_RINVPASWD), then accepted', steps, async (broken) => {
    if (broken) dumpOnFailure(daemon);
    await daemon.kill();
    await smsc.close();
  });
}

// ---------------------------------------------------------------------------
// Scenario C: an SMSC that never moves the its_session_info sequence.
//
// Many SMSCs put the session number in octet 1 of its_session_info and leave
// octet 2 at 0x00 on every MO (SMPP 3.4 has the ESME assign the sequence). With
// the built-in profile `default` the daemon learns that per bind ("auto") and
// must then process every answer: an earlier daemon took each answer after the
// first for a resend of the one before and dropped it, so the dialog died after
// its first screen. Here the same digit is even sent twice in a row.

const DIALOG_SESSION = 7; // its_session_info octet 1 of the menu dialog
const TRANSFER_SESSION = 8; // ... of the direct-code transfer
const TRANSFER_CODE = '*111*4*4*79160000003*10*1#';

// Runs ussdgw-admin with a deadline; resolves with its exit and output.
function runAdmin(argv, timeoutMs = 20000) {
  const line = `${args.admin} ${argv.join(' ')}`;
  return new Promise((resolve, reject) => {
    let out = '';
    const child = spawn(args.admin, argv, { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Failure(`expected \`${line}\` to finish within ${timeoutMs} ms; output so far: ${JSON.stringify(out)}`));
    }, timeoutMs);
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Failure(`cannot run \`${line}\`: ${e.message} (pass --admin PATH)`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, line });
    });
  });
}

// A fresh demo store (79160000001..5), made the way an operator makes one.
async function demoStore(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const db = path.join(dir, 'demo.db');
  for (const cmd of ['init', 'demo']) {
    const r = await runAdmin(['--db', db, cmd]);
    check(r.code === 0, `\`${r.line}\` exited code=${r.code} signal=${r.signal}: ${r.out.trim()}`);
  }
  return db;
}

// A USSD MO from a fixed-sequence SMSC: octet 2 of its_session_info is 0x00 always.
function fixedMo(msisdn, session, text, op) {
  return {
    service_type: 'USSD',
    source_addr_ton: 1, source_addr_npi: 1, source_addr: msisdn,
    dest_addr_ton: 0, dest_addr_npi: 0, destination_addr: '111',
    data_coding: 0x0f,
    short_message: Buffer.from(text, 'ascii'), // GSM7 unpacked == ASCII for these
    ussd_service_op: op,
    its_session_info: Buffer.from([session, 0x00]),
  };
}

function smText(sub) {
  const octets = smOctets(sub);
  const dec = decodeText(octets, sub.data_coding);
  check(!dec.error, `text of ${describe(sub)} (${octets.toString('hex')}): ${dec.error}`);
  return dec.text;
}

// submit_sm that arrived but no step took: each answer must get one screen only.
function checkNoStraySubmit(smsc, when) {
  const stray = smsc.inbox.filter((p) => p.command === 'submit_sm');
  check(!stray.length, `${when}, unexpected submit_sm already waiting: ` +
    stray.map((p) => `${describe(p)} ${JSON.stringify(decodeText(smOctets(p), p.data_coding).text)}`).join('; '));
}

let messageIds = 0;

// Takes the next submit_sm matching `pred`, answers submit_sm_resp, decodes its text.
async function takeSubmit(smsc, pred, what, timeoutMs = 10000) {
  const sub = await smsc.waitFor((p) => p.command === 'submit_sm' && pred(p), what, timeoutMs);
  sub.session.send(sub.response({ message_id: `c-${++messageIds}` }));
  return { sub, text: smText(sub) };
}

// Sends one USSD MO (deliver_sm_resp must be 0) and takes the one screen it
// gets: to the sender, with its_session_info naming the same session and an
// end bit that agrees with the op. `want`: 'continue' (op 2) or 'end' (op 17).
async function ussdStep(smsc, mo, want, what) {
  checkNoStraySubmit(smsc, `before sending ${what}`);
  const { resp } = await smsc.request('deliver_sm', mo, `deliver_sm_resp to ${what}`);
  check(resp.command === 'deliver_sm_resp' && resp.command_status === 0,
    `expected deliver_sm_resp status 0 to ${what}, got ${describe(resp)}`);
  const session = mo.its_session_info[0];
  const { sub, text } = await takeSubmit(smsc,
    (p) => p.ussd_service_op !== undefined && p.destination_addr === mo.source_addr,
    `the USSD screen answering ${what}`);
  const wantOp = want === 'end' ? OP_PSSR_RESP : OP_USSR_REQ;
  check(sub.ussd_service_op === wantOp,
    `ussd_service_op: expected ${wantOp} (${want}), got ${sub.ussd_service_op}; text ${JSON.stringify(text)}`);
  check(sub.its_session_info !== undefined, `the screen carries no its_session_info: ${describe(sub)}`);
  const its = Buffer.from(sub.its_session_info);
  check(its.length === 2 && its[0] === session,
    `its_session_info: expected 2 octets with session ${session} in octet 1, got ${its.toString('hex')}`);
  check((its[1] & 1) === (wantOp === OP_PSSR_RESP ? 1 : 0),
    `its_session_info end bit ${its[1] & 1} disagrees with ussd_service_op ${wantOp} (${its.toString('hex')})`);
  console.log(`  ${what} -> op ${sub.ussd_service_op}, its_session_info=${its.toString('hex')}: ${JSON.stringify(text)}`);
  return { sub, text, its };
}

async function fixedSequenceScenario() {
  const smsc = new Smsc();
  const port = await smsc.listen();
  const dir = path.join(tmp, 'fixed');
  let daemon = null;
  let db = null;
  let transferScreen = null;
  const A = '79160000001';
  const B = '79160000003';

  const expectParts = (text, parts, where) => {
    for (const part of parts) check(text.includes(part), `${where}: expected ${JSON.stringify(part)} in ${JSON.stringify(text)}`);
  };

  const steps = [
    ['8. demo store made with ussdgw-admin (init, demo); daemon on it bound', async () => {
      db = await demoStore(dir);
      daemon = new Daemon(port, 'fixed', smsc, db);
      daemons.push(daemon);
      const bind = await smsc.waitFor((p) => p.command === 'bind_transceiver' || p.command === 'socket_closed',
        'a bind_transceiver from the daemon');
      check(bind.command === 'bind_transceiver', `expected bind_transceiver, got ${describe(bind)}`);
      bind.session.send(bind.response({ system_id: 'npmsmsc' }));
      await daemon.waitForLog(/\bbound\b/, "a line containing 'bound'");
      return path.basename(db);
    }],

    [`9. *111# (op 1, its_session_info ${hex8(DIALOG_SESSION)}00) -> one screen, op 2, the main menu`, async () => {
      const { text } = await ussdStep(smsc, fixedMo(A, DIALOG_SESSION, '*111#', OP_PSSR_IND), 'continue', '*111#');
      expectParts(text, ['Service *111#', '4 Payments'], 'main menu');
    }],

    [`10. answer "4" (op 18, its_session_info ${hex8(DIALOG_SESSION)}00) -> one screen, op 2, Payments`, async () => {
      const { text } = await ussdStep(smsc, fixedMo(A, DIALOG_SESSION, '4', OP_USSR_CONF), 'continue', 'answer "4"');
      expectParts(text, ['Payments', '1 Promised payment', '4 Transfer money'], 'Payments menu');
    }],

    ['11. answer "4" AGAIN, same its_session_info (not a resend) -> one screen, op 2, Transfer: recipient prompt', async () => {
      const { text } = await ussdStep(smsc, fixedMo(A, DIALOG_SESSION, '4', OP_USSR_CONF), 'continue', 'the same answer "4" again');
      check(!text.includes('Promised payment'), `the second "4" was not processed as an answer (Payments shown again): ${JSON.stringify(text)}`);
      expectParts(text, ["Recipient's number"], 'Transfer prompt');
    }],

    ['12. answer "0" (back) -> one screen, op 2, Payments again', async () => {
      const { text } = await ussdStep(smsc, fixedMo(A, DIALOG_SESSION, '0', OP_USSR_CONF), 'continue', 'answer "0"');
      expectParts(text, ['Payments', '4 Transfer money'], 'Payments menu after back');
    }],

    ['13. release (op 0x81, sequence still 0) -> deliver_sm_resp only, no screen within 1 s; nothing dropped as a resend', async () => {
      checkNoStraySubmit(smsc, 'before the release');
      const { resp } = await smsc.request('deliver_sm', fixedMo(A, DIALOG_SESSION, '', OP_VENDOR_RELEASE), 'deliver_sm_resp to the release');
      check(resp.command === 'deliver_sm_resp' && resp.command_status === 0, `expected deliver_sm_resp status 0, got ${describe(resp)}`);
      await smsc.expectNothing((p) => p.command === 'submit_sm', 'submit_sm after the release (or a second screen for an answer)', 1000);
      const dropped = daemon.lines.filter((l) => /resend of answer/.test(l));
      check(!dropped.length, `the daemon dropped answers as resends:\n${dropped.map((l) => '    ' + l).join('\n')}`);
      const learned = daemon.lines.filter((l) => /sequence learned/.test(l));
      return learned.length ? learned.map((l) => l.replace(/^\S+ \S+ /, '')).join('; ') : 'no "sequence learned" line (stays fixed)';
    }],

    [`14. direct transfer ${TRANSFER_CODE} (op 1, its_session_info ${hex8(TRANSFER_SESSION)}00) -> op 17 "sent"; ${B} gets one SMS from 111`, async () => {
      const { text } = await ussdStep(smsc, fixedMo(A, TRANSFER_SESSION, TRANSFER_CODE, OP_PSSR_IND), 'end', TRANSFER_CODE);
      expectParts(text, ['10.00 RUB sent'], 'transfer result');
      transferScreen = text;
      const sms = await takeSubmit(smsc, (p) => p.destination_addr === B, `the SMS telling ${B} about the money`);
      check(sms.sub.ussd_service_op === undefined, `the recipient's SMS carries ussd_service_op ${sms.sub.ussd_service_op}`);
      check(sms.sub.source_addr === '111', `recipient's SMS: expected from 111, got from '${sms.sub.source_addr}'`);
      expectParts(sms.text, ['You received 10.00 RUB'], `SMS to ${B}`);
      console.log(`  SMS to ${B} from ${sms.sub.source_addr}: ${JSON.stringify(sms.text)}`);
    }],

    ['15. the same deliver_sm resent (new sequence_number) -> op 17 "Already done earlier, not repeated:"; no second SMS within 1 s', async () => {
      const { text } = await ussdStep(smsc, fixedMo(A, TRANSFER_SESSION, TRANSFER_CODE, OP_PSSR_IND), 'end', `${TRANSFER_CODE} resent`);
      check(text.startsWith('Already done earlier, not repeated:'), `expected the screen to start "Already done earlier, not repeated:", got ${JSON.stringify(text)}`);
      expectParts(text, ['10.00 RUB sent'], 'replayed result');
      await smsc.expectNothing((p) => p.command === 'submit_sm', `submit_sm after the replay (a second SMS to ${B} means money moved twice)`, 1000);
      return `first ${JSON.stringify(transferScreen)}`;
    }],

    [`16. SMS "0" to 8111 twice within 1 s from ${A} -> two replies from 8111`, async () => {
      checkNoStraySubmit(smsc, 'before the SMS');
      const sms = {
        source_addr_ton: 1, source_addr_npi: 1, source_addr: A,
        dest_addr_ton: 0, dest_addr_npi: 0, destination_addr: '8111',
        data_coding: 0x00,
        short_message: Buffer.from('0', 'ascii'),
      };
      const t0 = Date.now();
      const sent = await Promise.all([
        smsc.request('deliver_sm', sms, 'deliver_sm_resp to SMS #1'),
        smsc.request('deliver_sm', sms, 'deliver_sm_resp to SMS #2'),
      ]);
      for (const { resp } of sent) {
        check(resp.command === 'deliver_sm_resp' && resp.command_status === 0, `expected deliver_sm_resp status 0, got ${describe(resp)}`);
      }
      const replies = [];
      for (const n of [1, 2]) {
        const r = await takeSubmit(smsc, (p) => p.destination_addr === A, `reply #${n} from 8111 to ${A}`);
        check(r.sub.source_addr === '8111', `reply #${n}: expected from 8111, got ${describe(r.sub)} ${JSON.stringify(r.text)}`);
        check(r.sub.ussd_service_op === undefined, `reply #${n} carries ussd_service_op ${r.sub.ussd_service_op}`);
        check(r.text.length > 0 && !r.text.includes('Already done'), `reply #${n}: expected the service list, got ${JSON.stringify(r.text)}`);
        replies.push(r);
      }
      console.log(`  SMS replies from 8111: ${replies.map((r) => JSON.stringify(r.text)).join(' / ')}`);
      return `sent back to back, both answered ${Date.now() - t0} ms after the first was sent`;
    }],

    ['17. SIGTERM -> unbind, unbind_resp, exit 0; no submit_sm left over', async () => {
      checkNoStraySubmit(smsc, 'at shutdown');
      const t0 = Date.now();
      daemon.child.kill('SIGTERM');
      const unbind = await smsc.waitFor((p) => p.command === 'unbind' || p.command === 'socket_closed' || p.command === 'submit_sm',
        'an unbind from the daemon after SIGTERM');
      check(unbind.command === 'unbind', `expected unbind, got ${describe(unbind)}`);
      unbind.session.send(unbind.response());
      const exit = await daemon.waitExit(10000 - (Date.now() - t0));
      check(exit.code === 0, `expected exit code 0, got code=${exit.code} signal=${exit.signal}`);
    }],

    [`18. ussdgw-admin archive ${A}: exactly one transfer row`, async () => {
      const r = await runAdmin(['--db', db, 'archive', A, '--limit', '50']);
      check(r.code === 0, `\`${r.line}\` exited code=${r.code} signal=${r.signal}: ${r.out.trim()}`);
      const rows = r.out.split('\n').filter((l) => /\btransfer\b/.test(l));
      check(rows.length === 1, `expected 1 transfer row, got ${rows.length}; archive:\n${r.out}`);
      return rows[0].trim();
    }],
  ];

  return scenario('scenario C: SMSC with its_session_info octet 2 always 0x00 (profile default learns "fixed"): dialog, resent direct transfer, repeated SMS',
    steps, async (broken) => {
      if (broken && daemon) dumpOnFailure(daemon);
      if (daemon) await daemon.kill();
      await smsc.close();
    });
}

async function main() {
  try {
    check(fs.existsSync(args.daemon), `daemon binary not found: ${args.daemon}`);
    await mainScenario();
    await backoffScenario();
    await fixedSequenceScenario();
  } catch (e) {
    fail('harness', e);
    if (!(e instanceof Failure)) console.log(e.stack);
  } finally {
    for (const d of daemons) await d.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

main();
