// Forms: reading a form's values and showing an answer's problems beside the fields they name.
import {h, mount} from './h.js';
import {t, label} from './i18n.js';

// values reads the named controls of a form; empty text is left out (the API's optional fields
// are absent rather than ""), numbers are numbers.
export function values(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    if (el.type === 'checkbox') { out[el.name] = el.checked; continue; }
    if (el.type === 'radio') { if (el.checked) out[el.name] = el.value; continue; }
    const v = el.value.trim();
    if (v === '') continue;
    out[el.name] = el.type === 'number' ? Number(v) : v;
  }
  return out;
}

// clearProblems hides the messages of an earlier attempt.
export function clearProblems(form) {
  for (const p of form.querySelectorAll('.field .error')) { p.hidden = true; p.textContent = ''; }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const summary = form.querySelector('.problem');
  if (summary) mount(summary).hidden = true;
}

// showProblem puts each field error of a problem+json answer under the control it names
// (data-field, as the API names it: persons[1].id_number, case.category) and the rest, with the
// answer's detail, in the form's summary; the first control in error takes the focus.
export function showProblem(form, err, prefix = '') {
  clearProblems(form);
  const rest = [];
  let first = null;
  for (const fe of (err.errors || [])) {
    const name = fe.field.startsWith(prefix) ? fe.field.slice(prefix.length) : fe.field;
    const box = form.querySelector(`.field[data-field="${CSS.escape(name)}"]`);
    const text = label('field_error.code', fe.code) + (fe.message ? ': ' + fe.message : '');
    if (!box) { rest.push(fe.field + ' — ' + text); continue; }
    const p = box.querySelector('.error');
    p.textContent = text;
    p.hidden = false;
    const control = box.querySelector('input, select, textarea');
    if (control) { control.setAttribute('aria-invalid', 'true'); first = first || control; }
  }
  const summary = form.querySelector('.problem');
  if (summary) {
    const head = err.status === 0 ? t('network') : err.status === 403 && err.type !== 'must_change_password' ? t('forbidden') : err.message;
    mount(summary, h('strong', {}, t('error') + ': '), head, rest.length ? h('ul', {}, rest.map((r) => h('li', {}, r))) : null);
    summary.hidden = false;
    if (!first) summary.focus();
  }
  if (first) first.focus();
}

// problemBox is the place a form shows what went wrong as a whole.
export const problemBox = () => h('div', {class: 'problem', role: 'alert', tabindex: '-1', hidden: true});

// submitting disables a form's buttons while its request runs, so that a double press saves once.
export async function submitting(form, fn) {
  const buttons = [...form.querySelectorAll('button')];
  buttons.forEach((b) => { b.disabled = true; });
  try { return await fn(); } finally { buttons.forEach((b) => { b.disabled = false; }); }
}

// onSubmit saves a form with fn on submit: its buttons disabled meanwhile, an earlier attempt's
// problems cleared when it succeeds, an error answer shown on the form.
export function onSubmit(form, fn) {
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      try {
        await fn();
        clearProblems(form);
      } catch (err) { showProblem(form, err); }
    });
  });
}
