#!/usr/bin/env node
// The operator console in a real browser: Debian's Chromium, driven by
// puppeteer-core (no browser download), against the real daemon, simulator
// and admin tool. An operator's round:
//   log in -> the tree -> *111# and the balance on the phone on screen ->
//   a menu upload with an error, its line flagged -> a good one, tried on the
//   phone -> applied -> a subscriber dialling through the simulator gets the
//   new text -> the tree's counts show that dialog.
//
//   node console_browser.js --bin DIR --source DIR --out DIR [--chromium PATH]
//
// Screenshots of each step go to --out. Every wait has a deadline; no sleeps.
// Exit 0 when the round passed, 1 otherwise (with the daemon's log tail).
'use strict';

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const puppeteer = require('puppeteer-core');

const args = { bin: null, source: null, out: null, chromium: '/usr/bin/chromium' };
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, '');
  if (!(k in args) || i + 1 >= process.argv.length) {
    console.error('usage: node console_browser.js --bin DIR --source DIR --out DIR [--chromium PATH]');
    process.exit(2);
  }
  args[k] = path.resolve(process.argv[i + 1]);
}
if (!args.bin || !args.source || !args.out) {
  console.error('console_browser: --bin, --source and --out are required');
  process.exit(2);
}

const patience = 30000;
const bindPassword = 'Bq7-xZ4k';
const editorPassword = 'Ed1tor-pass-77';
const started = Date.now();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ussdgw-console-browser-'));
fs.mkdirSync(args.out, { recursive: true });

// A child whose output lines can be waited for.
function start(name, argv, options = {}) {
  const p = spawn(argv[0], argv.slice(1), { cwd: work, stdio: ['pipe', 'pipe', 'pipe'], ...options });
  p.lines = [];
  p.waiters = [];
  const feed = (chunk) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue;
      p.lines.push(line);
      p.waiters = p.waiters.filter((w) => !(w.match(line) && (w.resolve(line), true)));
    }
  };
  p.stdout.on('data', feed);
  p.stderr.on('data', feed);
  p.waitFor = (what, from = 0) => new Promise((resolve, reject) => {
    const match = (line) => line.includes(what);
    const seen = p.lines.slice(from).find(match);
    if (seen) return resolve(seen);
    const timer = setTimeout(() => reject(new Error(`${name}: no line with '${what}' within ${patience} ms`)), patience);
    p.waiters.push({ match, resolve: (l) => { clearTimeout(timer); resolve(l); } });
  });
  p.label = name;
  return p;
}

function admin(argv, input) {
  return execFileSync(path.join(args.bin, 'ussdgw-admin'), argv, { cwd: work, input: input || '' }).toString();
}

let sim, daemon, browser;
let step = 0;
async function shot(page, name) {
  const file = path.join(args.out, `${String(++step).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot ${file}`);
}

async function main() {
  // The store, one editor, a copy of the menus (an apply writes into it).
  const db = path.join(work, 'demo.db');
  admin(['init', '--db', db]);
  admin(['demo', '--db', db]);
  const users = path.join(work, 'console-users');
  admin(['console-user', 'add', 'ed', '--role', 'editor', '--file', users], editorPassword + '\n');
  const menus = path.join(work, 'menus');
  fs.cpSync(path.join(args.source, 'menus'), menus, { recursive: true });
  const conf = path.join(work, 'ussdgw.conf');
  fs.writeFileSync(conf, `[rules]\npwhash = minimum\n[console]\nusers_file = ${users}\n` +
                         `static_dir = ${path.join(args.source, 'console')}\n`);

  sim = start('simulator', [path.join(args.bin, 'ussdgw-smsc-sim'), '--listen', '127.0.0.1:0',
                            '--password', bindPassword]);
  const simPort = (await sim.waitFor('listening on')).split(':').pop();
  daemon = start('daemon', [path.join(args.bin, 'ussdgw'), '--smsc', `127.0.0.1:${simPort}`,
                            '--password', bindPassword, '--config', conf, '--db', db, '--menus', menus,
                            '--http-listen', '127.0.0.1:0', '--log-level', 'info']);
  const httpPort = (await daemon.waitFor('http listening on 127.0.0.1:')).split(':').pop().trim();
  await sim.waitFor('bind ok');
  const base = `http://127.0.0.1:${httpPort}/console/`;

  browser = await puppeteer.launch({ executablePath: args.chromium, headless: true,
                                     args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-dev-shm-usage'] });
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // Script errors fail the round; a refused request (the 401 before login,
  // the 422 of the broken upload) is the page doing its job.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      problems.push(`console: ${m.text()}`);
  });

  // Log in.
  await page.goto(base, { waitUntil: 'networkidle0' });
  await shot(page, 'login');
  await page.type('#login-user', 'ed');
  await page.type('#login-password', editorPassword);
  await page.click('#login-button');
  await page.waitForSelector('#app:not([hidden])', { timeout: patience });

  // The tree: the root menu, with its file and line.
  await page.waitForSelector('details[data-node="main"]', { timeout: patience });
  const mainHead = await page.$eval('details[data-node="main"] > summary', (e) => e.textContent);
  if (!/main\.yaml:\d+/.test(mainHead)) throw new Error(`tree: main without its file:line: ${mainHead}`);
  await shot(page, 'tree');

  // The phone: *111#, then 1, the balance.
  await page.click('nav button[data-tab="phone"]');
  await page.type('#phone-msisdn', '79160000001');
  const screenHas = (text) => page.waitForFunction(
    (t) => document.getElementById('screen').textContent.includes(t), { timeout: patience }, text);
  for (const k of ['*', '1', '1', '1', '#']) await page.click(`#keypad button[data-key="${k}"]`);
  await page.click('#phone-call');
  await screenHas('Service *111#');
  await page.type('#phone-input', '1');
  await page.click('#phone-send');
  await screenHas('Balance: 250.00');
  const info = await page.$eval('#screen-info', (e) => e.textContent);
  if (!info.includes('GSM 7-bit')) throw new Error(`phone: no encoding shown: ${info}`);
  await shot(page, 'phone-balance');

  // A menu upload with an error: its line is flagged, nothing changes.
  await page.click('nav button[data-tab="change"]');
  await page.click('#change-load');
  await page.waitForFunction(() => document.getElementById('change-text').value.includes('nodes:'), { timeout: patience });
  const original = await page.$eval('#change-text', (e) => e.value);
  const setText = (t) => page.$eval('#change-text', (e, v) => { e.value = v; }, t);
  await setText(original.replace('next: balance}', 'next: balanse}'));
  await page.click('#change-check');
  await page.waitForSelector('#problems li.problem', { timeout: patience });
  const flagged = await page.$eval('#problems', (e) => e.textContent);
  if (!/main\.yaml:\d+/.test(flagged) || !flagged.includes('balanse'))
    throw new Error(`check: the error's line is not shown: ${flagged}`);
  await shot(page, 'change-error');

  // A good one: tried on the phone, then applied.
  await setText(original.replace('Service *111#', 'Self-care *111#'));
  await page.click('#change-try');
  await screenHas('Self-care *111#');
  await shot(page, 'try-on-phone');
  await page.click('nav button[data-tab="change"]');
  await page.click('#change-apply');
  await page.waitForFunction(() => document.getElementById('change-status').textContent.includes('applied'), { timeout: patience });
  await shot(page, 'applied');

  // A subscriber dialling through the SMSC hears the new text.
  const from = sim.lines.length;
  sim.stdin.write('*111#\n');
  await sim.waitFor('Self-care *111#', from);
  sim.stdin.write('/release\n');
  await daemon.waitFor('dialog released by the subscriber').catch(() => {});

  // The tree shows that dialog in its counts.
  await page.click('nav button[data-tab="tree"]');
  await page.waitForFunction(() => {
    const s = document.querySelector('details[data-node="main"] > summary .funnel');
    return s && /^[1-9]/.test(s.textContent.trim());
  }, { timeout: patience });
  await shot(page, 'tree-after');

  if (problems.length) throw new Error(problems.join('; '));
}

main().then(() => 0, (e) => {
  console.error(`console_browser: FAILED: ${e.message}`);
  if (daemon) console.error('daemon log tail:\n' + daemon.lines.slice(-30).join('\n'));
  return 1;
}).then(async (code) => {
  if (browser) await browser.close().catch(() => {});
  if (daemon) daemon.kill('SIGTERM');
  if (sim) { sim.stdin.write('/quit\n'); sim.stdin.end(); }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(code === 0 ? `console_browser: passed in ${seconds} s` : `console_browser: failed after ${seconds} s`);
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(code);
});
