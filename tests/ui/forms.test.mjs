#!/usr/bin/env node
// Browser test of apps, the form designer and records (web/ui) against a running creekd that
// identity.test.mjs has set up (it signs in as the harness's TEST_ADMIN; the member 张三 it made
// is picked in a member field):
//
//   CREEK_URL=http://127.0.0.1:18080 node tests/ui/forms.test.mjs
//
// In order:
//   1. a new app through the apps page, opened, its designer
//   2. the designer: one field of each type from the palette; the text field's label and
//      "required", the date "unique", a radio choice renamed and one added, a sub-table's own
//      field; preview on phone and desktop; save; GET .../form holds one field of each type
//   3. a record submitted on desktop with text, number, date, radio, select, checkbox, member,
//      attachment (a file uploaded), signature (drawn), location, address and rating filled in,
//      checked through GET .../records/{id}; then a record from a 390x844 phone (no sideways
//      scroll)
//   4. the records table sorted both ways by the text field, then filtered on it: the first
//      record only (and counted); it is opened, its text edited and saved, and its history shows
//      both versions with the old and new text
//   5. a CSV imported through the import dialog (the file uploaded, then named by its sha256)
//   6. the live form changed: two fields and a radio choice removed and saved; a designer opened
//      afresh does not hand out the removed fields' ids (GET form's removed_fields), nor lists the
//      removed ("retired") choice, which the submit form does not offer either
// Env, requirements and exit code: see harness.mjs. It fails on any console error, uncaught page
// error, CSP violation or failed request.

import { join } from 'node:path';
import {
  TEST_ADMIN,
  artifacts,
  baseUrl,
  cspViolations,
  fail,
  fetchJson,
  isolatedContext,
  log,
  openUi,
  problems,
  remaining,
  runBrowserTest,
  signIn,
  tid,
  watch,
} from './harness.mjs';

const TIMEOUT_MS = 150_000;
const PHONE = { width: 390, height: 844 };
// Every field type of the forms contract, as the palette offers them (data-testid palette-<type>).
const TYPES = [
  'text',
  'textarea',
  'richtext',
  'number',
  'money',
  'percent',
  'duration',
  'rating',
  'date',
  'datetime',
  'timerange',
  'email',
  'phone',
  'link',
  'radio',
  'select',
  'checkbox',
  'member',
  'department',
  'attachment',
  'image',
  'address',
  'location',
  'subtable',
  'description',
  'divider',
  'section',
  'serial',
  'signature',
  'barcode',
];
const APP_NAME = '客户拜访登记';
const TEXT_LABEL = '客户名称';
const RADIO_FIRST = '新客户';
const MEMBER = '张三';
const FIRST_TEXT = '溪流测试客户甲';
const PHONE_TEXT = '溪流手机客户乙';
const EDITED_TEXT = '溪流测试客户丙';
const UPLOAD = { name: '拜访纪要.txt', mimeType: 'text/plain', buffer: Buffer.from('纪要\n') };
const ADDRESS = ['上海市', '上海市', '黄浦区'];
const IMPORTED = ['溪流导入客户丁', '溪流导入客户戊'];

let current = null; // the page whose screenshot a failure leaves behind

// One step may wait this long at most (a failure then says where, well before the deadline).
const step = () => Math.min(remaining(), 20_000);

async function visible(page, testId, what) {
  try {
    await page.waitForSelector(tid(testId), { state: 'visible', timeout: step() });
  } catch {
    fail(`${what}: [data-testid="${testId}"] did not appear (URL ${page.url()})`);
  }
}

async function click(page, selector) {
  await page.click(selector, { timeout: step() });
}

/** Types into the text input of test id `testId` (the input itself, or the one inside it). */
async function fill(page, testId, value) {
  await page
    .locator(`input${tid(testId)}, textarea${tid(testId)}, ${tid(testId)} input`)
    .first()
    .fill(value, { timeout: step() });
}

/** Waits until the element's text contains `expected`. */
async function waitForTextIn(page, testId, expected, what) {
  try {
    await page.waitForFunction(
      ([s, exp]) => document.querySelector(s)?.textContent.includes(exp),
      [tid(testId), expected],
      { timeout: step(), polling: 100 },
    );
  } catch {
    const seen = await page.$eval(tid(testId), (el) => el.textContent.trim()).catch(() => null);
    fail(`${what}: expected text with "${expected}", page shows ${JSON.stringify(seen)}`);
  }
}

async function waitForUrl(page, pattern, what) {
  try {
    await page.waitForURL(pattern, { timeout: step() });
  } catch {
    fail(`${what}: URL ${page.url()} never matched ${pattern}`);
  }
  return pattern.exec(page.url());
}

const escapeRe = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Picks the visible option with exactly this text from an open Element Plus select dropdown. */
async function pickOption(page, text) {
  await page
    .locator('.el-select-dropdown__item:visible')
    .filter({ hasText: new RegExp(`^\\s*${escapeRe(text)}\\s*$`) })
    .first()
    .click({ timeout: step() });
}

/** Opens the select under `selector` and picks `text`. */
async function choose(page, selector, text) {
  await page.locator(`${selector} .el-select__wrapper`).first().click({ timeout: step() });
  await pickOption(page, text);
}

/** An API caller with the page's cookies and CSRF token. */
function api(context, csrf) {
  return async function call(method, path, data) {
    const answer = await context.request.fetch(`${baseUrl}${path}`, {
      method,
      data,
      headers: { 'X-Creek-CSRF': csrf },
      timeout: step(),
    });
    const text = await answer.text();
    if (!answer.ok()) fail(`${method} ${path}: HTTP ${answer.status()} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

// ---- 1. the app ----

async function createApp(page) {
  await openUi(page, 'admin', '');
  const [, ws] = await waitForUrl(page, /#\/w\/([^/]+)\/apps$/, 'the workspace home');
  await visible(page, 'app-new', 'the new app button');
  await click(page, tid('app-new'));
  await visible(page, 'app-dialog-name', 'the new app dialog');
  await fill(page, 'app-dialog-name', APP_NAME);
  const answer = page.waitForResponse(
    (res) => res.request().method() === 'POST' && /\/apps$/.test(new URL(res.url()).pathname),
    { timeout: step() },
  );
  await click(page, tid('app-dialog-submit'));
  const made = await answer;
  if (made.status() !== 201) fail(`POST apps: HTTP ${made.status()} ${await made.text()}`);
  const app = (await made.json()).id;
  await page.waitForSelector(tid('app-dialog-name'), { state: 'hidden', timeout: step() });
  await visible(page, `app-open-${app}`, 'the new app on the apps page');
  const name = (await page.textContent(tid(`app-name-${app}`))).trim();
  if (name !== APP_NAME) fail(`the new app is shown as "${name}"`);
  await click(page, tid(`app-open-${app}`));
  await waitForUrl(page, new RegExp(`#/w/${ws}/apps/${app}/data$`), 'opening the app');
  await visible(page, 'app-tab-design', 'the designer tab');
  await click(page, tid('app-tab-design'));
  await waitForUrl(page, new RegExp(`#/w/${ws}/apps/${app}/design$`), 'the designer tab');
  await visible(page, 'designer-palette', 'the designer');
  log(`app "${APP_NAME}" (${app}) made through the apps page, designer open`);
  return { ws, app };
}

// ---- 2. the designer ----

async function selectedId(page) {
  return (await page.textContent(tid('prop-id'), { timeout: step() })).trim();
}

async function designForm(page, context, ws, app) {
  const ids = {};
  for (const type of TYPES) {
    const before = await page.$$eval('[data-testid^="canvas-field-"]', (els) => els.length);
    await click(page, tid(`palette-${type}`));
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid^="canvas-field-"]').length === n + 1,
      before,
      { timeout: step(), polling: 50 },
    );
    ids[type] = await selectedId(page);
  }
  if (new Set(Object.values(ids)).size !== TYPES.length) {
    fail(`the designer handed out repeated ids: ${JSON.stringify(ids)}`);
  }

  // The text field: its label and "required".
  await click(page, tid(`canvas-field-${ids.text}`));
  await fill(page, 'prop-label', TEXT_LABEL);
  await click(page, tid('prop-required'));
  // The date: no two records on the same day (the server allows unique dates).
  await click(page, tid(`canvas-field-${ids.date}`));
  await click(page, tid('prop-unique'));
  // The radio field: its first choice renamed, a third added.
  await click(page, tid(`canvas-field-${ids.radio}`));
  await fill(page, 'choice-label-0', RADIO_FIRST);
  await click(page, tid('choice-add'));
  await visible(page, 'choice-label-2', 'a third choice');
  // The serial number keeps its counter (the palette gives it one); the sub-table gets a field.
  await click(page, tid(`canvas-field-${ids.serial}`));
  await visible(page, 'serial-part-1', 'the serial number parts');
  await click(page, tid(`canvas-field-${ids.subtable}`));
  await page.locator(`${tid('sub-add')} .el-select__wrapper`).click({ timeout: step() });
  await click(page, tid('sub-add-text'));
  await page.waitForSelector('[data-testid^="sub-field-"]', { timeout: step() });
  await page.screenshot({ path: join(artifacts, 'ui-forms-designer.png'), fullPage: true });

  await click(page, tid('preview-phone'));
  await visible(page, 'preview-frame-phone', 'the phone preview');
  await visible(page, `form-item-${ids.text}`, 'the text field in the phone preview');
  await page.screenshot({ path: join(artifacts, 'ui-forms-preview-phone.png'), fullPage: true });
  await click(page, tid('preview-desktop'));
  await visible(page, 'preview-frame-desktop', 'the desktop preview');
  await visible(page, `form-item-${ids.signature}`, 'the signature in the desktop preview');
  await click(page, tid('designer-edit'));
  await visible(page, 'designer-canvas', 'back to editing');

  const saved = page.waitForResponse(
    (res) => res.request().method() === 'PUT' && /\/form$/.test(new URL(res.url()).pathname),
    { timeout: step() },
  );
  await click(page, tid('designer-save'));
  const answer = await saved;
  if (answer.status() !== 200) {
    await page.waitForSelector(tid('designer-error'), { timeout: step() }).catch(() => {});
    const shown = await page.textContent(tid('designer-error')).catch(() => null);
    fail(`PUT form: HTTP ${answer.status()} ${await answer.text()}; the page shows ${shown}`);
  }
  await visible(page, 'designer-status', 'the saved status');
  try {
    await page.waitForFunction(
      () => document.querySelector('[data-testid="designer-save"]')?.disabled === true,
      null,
      { timeout: step(), polling: 100 },
    );
  } catch {
    fail('the save button stays enabled after saving (the designer thinks there are changes)');
  }
  const { status, body } = await fetchJson(`/api/v1/workspaces/${ws}/apps/${app}/form`, context);
  if (status !== 200) fail(`GET form: HTTP ${status} ${JSON.stringify(body)}`);
  const types = (body.fields ?? []).map((f) => f.type);
  for (const type of TYPES) {
    const n = types.filter((x) => x === type).length;
    if (n !== 1) fail(`the saved form has ${n} ${type} fields: ${JSON.stringify(types)}`);
  }
  if (types.length !== TYPES.length) fail(`the saved form has more fields: ${types}`);
  const byType = Object.fromEntries(body.fields.map((f) => [f.type, f]));
  if (byType.text.label !== TEXT_LABEL || byType.text.required !== true) {
    fail(`the text field was saved as ${JSON.stringify(byType.text)}`);
  }
  if (byType.date.unique !== true) fail(`the date was saved as ${JSON.stringify(byType.date)}`);
  const radioLabels = byType.radio.options.choices.map((c) => c.label);
  if (radioLabels[0] !== RADIO_FIRST || radioLabels.length !== 3) {
    fail(`the radio choices were saved as ${JSON.stringify(byType.radio.options.choices)}`);
  }
  if (byType.subtable.options.fields?.length !== 1) {
    fail(`the sub-table was saved as ${JSON.stringify(byType.subtable)}`);
  }
  log(`designer OK: ${TYPES.length} types saved as version ${body.version}`);
  return { ids, fields: body.fields };
}

// ---- 3. records ----

async function fillDesktopRecord(page, ids, fields) {
  const f = (type) => tid(`field-${ids[type]}`);
  const byType = Object.fromEntries(fields.map((x) => [x.type, x]));
  await fill(page, `field-${ids.text}`, FIRST_TEXT);
  await fill(page, `field-${ids.number}`, '42.5');
  await page.press(`${f('number')} input`, 'Tab');
  await fill(page, `field-${ids.date}`, '2026-11-20');
  await page.press(`${f('date')} input`, 'Enter');
  await click(page, tid(`field-${ids.radio}-choice-${byType.radio.options.choices[0].id}`));
  await choose(page, f('select'), byType.select.options.choices[1].label);
  for (const c of byType.checkbox.options.choices) {
    await click(page, tid(`field-${ids.checkbox}-choice-${c.id}`));
  }
  // member: searched by name
  await page.locator(`${f('member')} .el-select__wrapper`).click({ timeout: step() });
  await page.keyboard.type(MEMBER);
  await page
    .locator(`[data-testid^="field-${ids.member}-member-"]:visible`, { hasText: MEMBER })
    .first()
    .click({ timeout: step() });
  // attachment: a file uploaded at once
  await page.setInputFiles(tid(`field-${ids.attachment}-input`), UPLOAD, {
    timeout: step(),
  });
  await visible(page, `field-${ids.attachment}-file-0`, 'the uploaded attachment');
  // signature: a stroke drawn with the mouse
  const pad = page.locator(tid(`field-${ids.signature}-pad`));
  await pad.scrollIntoViewIfNeeded({ timeout: step() });
  const box = await pad.boundingBox();
  await page.mouse.move(box.x + 30, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) {
    await page.mouse.move(box.x + 30 + i * 25, box.y + box.height / 2 + (i % 2 ? -20 : 20));
  }
  await page.mouse.up();
  // location: typed in
  await fill(page, `field-${ids.location}-lat`, '31.2304');
  await fill(page, `field-${ids.location}-lng`, '121.4737');
  await page.press(`${tid(`field-${ids.location}-lng`)} input`, 'Tab');
  // address: province / city / district in the cascader, then the street
  await click(page, `${tid(`field-${ids.address}-region`)} .el-cascader`);
  for (const [level, name] of ADDRESS.entries()) {
    await page
      .locator('.el-cascader-menu:visible')
      .nth(level)
      .locator('.el-cascader-node', { hasText: name })
      .first()
      .click({ timeout: step() });
  }
  await fill(page, `field-${ids.address}-detail`, '南京东路 1 号');
  // rating: the fourth star
  await page
    .locator(`${f('rating')} .el-rate__item`)
    .nth(3)
    .click({ timeout: step() });
}

async function submitDesktop(page, context, ws, app, ids, fields) {
  await click(page, tid('app-tab-new'));
  await waitForUrl(page, new RegExp(`#/w/${ws}/apps/${app}/new$`), 'the submit tab');
  await visible(page, 'submit-form', 'the submit form');
  await fillDesktopRecord(page, ids, fields);
  await page.screenshot({ path: join(artifacts, 'ui-forms-submit.png'), fullPage: true });
  await click(page, tid('record-submit'));
  await visible(page, 'record-submitted', 'the submitted record');
  const id = Number(
    (await page.textContent(`${tid('record-submitted')} .el-result__subtitle`)).match(/\d+/)?.[0],
  );
  const { status, body } = await fetchJson(
    `/api/v1/workspaces/${ws}/apps/${app}/records/${id}`,
    context,
  );
  if (status !== 200) fail(`GET record ${id}: HTTP ${status} ${JSON.stringify(body)}`);
  const v = body.values ?? {};
  const byType = Object.fromEntries(fields.map((x) => [x.type, x]));
  const checks = {
    text: v[ids.text] === FIRST_TEXT,
    number: v[ids.number] === 42.5,
    date: v[ids.date] === '2026-11-20',
    radio: v[ids.radio] === byType.radio.options.choices[0].id,
    select: v[ids.select] === byType.select.options.choices[1].id,
    checkbox: v[ids.checkbox]?.length === byType.checkbox.options.choices.length,
    member: body.refs?.members?.[String(v[ids.member])] === MEMBER,
    attachment: v[ids.attachment]?.[0]?.name === UPLOAD.name,
    signature: /^data:image\/png;base64,/.test(v[ids.signature] ?? ''),
    location: v[ids.location]?.lat === 31.2304 && v[ids.location]?.lng === 121.4737,
    address: JSON.stringify(v[ids.address]?.region) === JSON.stringify(ADDRESS),
    rating: v[ids.rating] === 4,
    serial: typeof v[ids.serial] === 'string' && v[ids.serial].length > 0,
  };
  const wrong = Object.keys(checks).filter((k) => !checks[k]);
  if (wrong.length) {
    fail(`record ${id} was stored wrong in ${wrong.join(', ')}: ${JSON.stringify(v)}`);
  }
  log(`record ${id} submitted on desktop with ${Object.keys(checks).length} kinds of value`);
  return id;
}

async function submitOnPhone(ws, app, ids, fields) {
  const context = await isolatedContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  await signIn(context, TEST_ADMIN);
  const page = await context.newPage();
  current = page;
  watch(page, 'phone');
  await openUi(page, 'phone', `#/w/${ws}/apps/${app}/new`);
  await visible(page, 'submit-form', 'the submit form on a phone');
  const byType = Object.fromEntries(fields.map((x) => [x.type, x]));
  await fill(page, `field-${ids.text}`, PHONE_TEXT);
  await fill(page, `field-${ids.number}`, '7');
  await fill(page, `field-${ids.date}-native`, '2026-11-21');
  await click(page, tid(`field-${ids.radio}-choice-${byType.radio.options.choices[1].id}`));
  await page
    .locator(`${tid(`field-${ids.rating}`)} .el-rate__item`)
    .nth(4)
    .tap();
  const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
  await page.screenshot({ path: join(artifacts, 'ui-forms-phone.png'), fullPage: true });
  if (width > PHONE.width) fail(`at ${PHONE.width} px the submit page is ${width} px wide`);
  await page.locator(tid('record-submit')).tap({ timeout: step() });
  await visible(page, 'record-submitted', 'the record submitted on a phone');
  const after = await page.evaluate(() => document.scrollingElement.scrollWidth);
  if (after > PHONE.width) fail(`at ${PHONE.width} px the submitted record is ${after} px wide`);
  problems.push(...(await cspViolations(page, 'phone')));
  const id = Number(
    (await page.textContent(`${tid('record-submitted')} .el-result__subtitle`)).match(/\d+/)?.[0],
  );
  const { body } = await fetchJson(`/api/v1/workspaces/${ws}/apps/${app}/records/${id}`, context);
  const v = body.values ?? {};
  if (v[ids.text] !== PHONE_TEXT || v[ids.date] !== '2026-11-21' || v[ids.rating] !== 5) {
    fail(`the phone's record ${id} was stored as ${JSON.stringify(v)}`);
  }
  log(`record ${id} submitted at ${PHONE.width}x${PHONE.height}, no sideways scroll`);
  return id;
}

// ---- 4. the table: filter, edit, history ----

async function filterEditHistory(page, ws, app, ids, first, second) {
  current = page;
  await click(page, tid('app-tab-data'));
  await waitForUrl(page, new RegExp(`#/w/${ws}/apps/${app}/data$`), 'the data tab');
  await visible(page, `record-open-${first}`, 'the first record in the table');
  await visible(page, `record-open-${second}`, 'the phone record in the table');

  // Sorted by the text field: 溪流手机… (U+624B) before 溪流测试… (U+6D4B), then the other way.
  for (const [dir, top] of [
    ['ascending', second],
    ['descending', first],
  ]) {
    await click(page, tid(`col-sort-${ids.text}`));
    try {
      await page.waitForFunction(
        ([id, aria]) =>
          document.querySelector('[data-testid^="record-open-"]')?.dataset.testid === id &&
          document.querySelector(`[data-testid="col-sort-${aria[0]}"]`)?.ariaSort === aria[1],
        [`record-open-${top}`, [ids.text, dir]],
        { timeout: step(), polling: 100 },
      );
    } catch {
      fail(`sorted by ${TEXT_LABEL} (${dir}), record ${top} does not come first`);
    }
  }

  await click(page, tid('records-filter'));
  await visible(page, 'filter-add', 'the filter drawer');
  await click(page, tid('filter-add'));
  await choose(page, tid('filter-field-0'), TEXT_LABEL);
  await choose(page, tid('filter-op-0'), '等于');
  await fill(page, 'filter-value-0', FIRST_TEXT);
  await click(page, tid('filter-apply'));
  try {
    await page.waitForSelector(tid(`record-open-${second}`), {
      state: 'detached',
      timeout: step(),
    });
  } catch {
    fail(`the filter ${TEXT_LABEL} = ${FIRST_TEXT} still shows record ${second}`);
  }
  await visible(page, `record-open-${first}`, 'the first record after filtering');
  const rows = await page.$$('[data-testid^="record-open-"]');
  if (rows.length !== 1) fail(`the filter leaves ${rows.length} records in the table`);
  await click(page, tid('records-count'));
  await waitForTextIn(page, 'records-count', '共 1 条', 'the count of the filtered records');
  await page.screenshot({ path: join(artifacts, 'ui-forms-filtered.png'), fullPage: true });
  log(`filter ${TEXT_LABEL} = ${FIRST_TEXT}: only record ${first} shown`);

  await click(page, tid(`record-open-${first}`));
  await visible(page, 'record-edit', 'the record drawer');
  await click(page, tid('record-edit'));
  const input = `${tid('record-edit-form')} ${tid(`field-${ids.text}`)} input`;
  await page.fill(input, EDITED_TEXT, { timeout: step() });
  await click(page, tid('record-save'));
  await visible(page, 'record-tab-history', 'the record after saving');
  await click(page, tid('record-tab-history'));
  await visible(page, 'history-entry-2', 'the edit in the history');
  await visible(page, 'history-entry-1', 'the creation in the history');
  const edit = await page.textContent(tid('history-entry-2'));
  if (!edit.includes(FIRST_TEXT) || !edit.includes(EDITED_TEXT)) {
    fail(`the history's edit entry does not show the old and new text: ${edit}`);
  }
  await page.screenshot({ path: join(artifacts, 'ui-forms-history.png'), fullPage: true });
  log(`record ${first} edited; history shows versions 1 and 2 with the old and new text`);
}

// ---- 5. import, and a removed field's id kept from new fields ----

async function importCsv(page, call, ws, app, fields) {
  // Columns headed by the fields' labels: the server maps them itself.
  const number = fields.find((f) => f.type === 'number').label;
  const csv = {
    name: '客户导入.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`${TEXT_LABEL},${number}\n${IMPORTED[0]},3\n${IMPORTED[1]},4.25\n`),
  };
  await page.keyboard.press('Escape');
  await page.waitForSelector(tid('record-tab-history'), { state: 'hidden', timeout: step() });
  await click(page, tid('records-import'));
  await visible(page, 'import-dialog', 'the import dialog');
  const uploaded = page.waitForResponse(
    (res) => res.request().method() === 'POST' && /\/files$/.test(new URL(res.url()).pathname),
    { timeout: step() },
  );
  await page.setInputFiles(tid('import-file'), csv, { timeout: step() });
  const upload = await uploaded;
  if (upload.status() !== 201) fail(`the import file's upload: HTTP ${upload.status()}`);
  await visible(page, 'import-report', 'the import check');
  const report = (await page.textContent(tid('import-report'))).trim();
  if (!report.includes(`可导入 ${IMPORTED.length} 行`)) fail(`the import check says: ${report}`);
  await click(page, tid('import-run'));
  await visible(page, 'import-result', 'the import result');
  const { records } = await call('POST', `/api/v1/workspaces/${ws}/apps/${app}/records/query`, {
    sort: [{ field: '_id', dir: 'asc' }],
  });
  const texts = records.map((r) => r.values?.[Object.keys(r.values)[0]]);
  for (const text of IMPORTED) {
    if (!records.some((r) => Object.values(r.values ?? {}).includes(text))) {
      fail(`the imported "${text}" is not among the records: ${JSON.stringify(texts)}`);
    }
  }
  await page.screenshot({ path: join(artifacts, 'ui-forms-import.png'), fullPage: true });
  await page.keyboard.press('Escape');
  await page.waitForSelector(tid('import-dialog'), { state: 'hidden', timeout: step() });
  log(`import of a CSV (uploaded first, then named by its sha256): ${IMPORTED.length} records`);
}

async function changeLiveForm(page, context, ws, app, ids) {
  // The barcode has the highest id of the form's own fields once the sub-table (whose own field
  // came last) is gone too; the radio loses its third choice.
  const gone = [ids.barcode, ids.subtable];
  await click(page, tid('app-tab-design'));
  await visible(page, `canvas-field-${ids.barcode}`, 'the designer again');
  for (const id of gone) await click(page, tid(`field-delete-${id}`));
  await click(page, tid(`canvas-field-${ids.radio}`));
  await click(page, tid('choice-remove-2'));
  const saved = page.waitForResponse(
    (res) => res.request().method() === 'PUT' && /\/form$/.test(new URL(res.url()).pathname),
    { timeout: step() },
  );
  await click(page, tid('designer-save'));
  if ((await saved).status() !== 200) fail('saving the form without two fields failed');
  const { body } = await fetchJson(`/api/v1/workspaces/${ws}/apps/${app}/form`, context);
  const removed = (body.removed_fields ?? []).map((f) => f.id);
  if (!gone.every((id) => removed.includes(id))) {
    fail(`removed_fields lacks ${gone}: ${JSON.stringify(body.removed_fields)}`);
  }
  const radio = body.fields.find((f) => f.id === ids.radio);
  const retired = radio.options.choices.filter((c) => c.retired === true);
  if (retired.length !== 1) fail(`the radio's choices are ${JSON.stringify(radio.options)}`);

  // A designer opened afresh knows the removed ids only from removed_fields.
  await page.reload({ timeout: step() });
  await visible(page, 'palette-barcode', 'the designer after reloading');
  await click(page, tid('palette-barcode'));
  const id = await selectedId(page);
  if (allIds(body).includes(id)) {
    fail(`a new field got the id ${id}, which a live or removed field of the form holds`);
  }
  await click(page, tid(`field-delete-${id}`));
  await click(page, tid(`canvas-field-${ids.radio}`));
  await visible(page, 'choice-row-1', 'the radio choices');
  if (await page.$(tid('choice-row-2'))) fail('the designer lists the removed choice');
  // The removed choice is not offered for new records.
  await click(page, tid('app-tab-new'));
  await visible(page, `field-${ids.radio}-choice-${radio.options.choices[0].id}`, 'the radio');
  if (await page.$(tid(`field-${ids.radio}-choice-${retired[0].id}`))) {
    fail(`the submit form offers the removed choice "${retired[0].label}"`);
  }
  log(
    `live form changed: removed fields' ids (${gone}) not handed out again (new field: ${id}), ` +
      `removed choice "${retired[0].label}" not offered`,
  );
}

const allIds = (form) => [
  ...(form.fields ?? []).flatMap((f) => [f.id, ...(f.options?.fields ?? []).map((x) => x.id)]),
  ...(form.removed_fields ?? []).map((f) => f.id),
];

async function run(context) {
  const { csrf_token: csrf } = await signIn(context);
  const page = await context.newPage();
  current = page;
  watch(page, 'admin');
  try {
    const { ws, app } = await createApp(page);
    const { ids, fields } = await designForm(page, context, ws, app);
    const first = await submitDesktop(page, context, ws, app, ids, fields);
    const second = await submitOnPhone(ws, app, ids, fields);
    await filterEditHistory(page, ws, app, ids, first, second);
    await importCsv(page, api(context, csrf), ws, app, fields);
    await changeLiveForm(page, context, ws, app, ids);
    problems.push(...(await cspViolations(page, 'admin')));
  } catch (err) {
    await current
      ?.screenshot({ path: join(artifacts, 'ui-forms-failure.png'), fullPage: true })
      .catch(() => {});
    throw err;
  }
}

runBrowserTest(run, { timeoutMs: TIMEOUT_MS });
