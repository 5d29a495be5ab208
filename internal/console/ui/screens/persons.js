// The persons of a visit: search as you type (the API folds diacritics and case in names and
// matches an ID number or phone exactly), pick with the keyboard, or register someone new, with
// the registered persons who look like them shown first so that nobody is entered twice.
import {h, field, select, mount} from '../lib/h.js';
import {get, query} from '../lib/api.js';
import {t, terms} from '../lib/i18n.js';

export function personPicker() {
  const picked = []; // {id, text} of registered persons, {person} of new ones
  const chips = h('ul', {class: 'chips', 'aria-live': 'polite', id: 'picked-persons'});
  const input = h('input', {type: 'search', id: 'person-q', autocomplete: 'off', role: 'combobox',
    'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': 'person-results'});
  const results = h('ul', {class: 'suggest', id: 'person-results', role: 'listbox', 'aria-label': t('search_results'), hidden: true});
  let items = [];
  let active = -1;
  let timer;

  const describe = (p) => [p.full_name, p.birth_year, p.id_number, p.phone, p.address].filter(Boolean).join(' · ');
  const render = () => {
    mount(chips, picked.map((p, i) => h('li', {},
      p.person ? h('span', {}, t('new_person_tag') + ': ' + describe(p.person)) : h('span', {}, p.text),
      h('button', {type: 'button', 'aria-label': t('remove') + ' ' + (p.person ? p.person.full_name : p.text),
        onclick: () => { picked.splice(i, 1); render(); input.focus(); }}, '×'))));
  };
  const close = () => { results.hidden = true; input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-activedescendant'); active = -1; };
  const highlight = (i) => {
    active = i;
    [...results.children].forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
    if (i >= 0) input.setAttribute('aria-activedescendant', results.children[i].id);
  };
  const take = (p) => {
    if (!picked.some((x) => x.id === p.id)) picked.push({id: p.id, text: describe(p)});
    render();
    input.value = '';
    close();
    input.focus();
  };
  const addNew = () => {
    newForm.hidden = false;
    nameInput.value = input.value.trim();
    input.value = '';
    close();
    hints(nameInput.value);
    nameInput.focus();
  };
  const search = async () => {
    const q = input.value.trim();
    if (q.length < 2) { close(); return; }
    const list = await get('/persons' + query({q, limit: 8}));
    if (input.value.trim() !== q) return; // a later keystroke has its own search
    items = list.items;
    mount(results, items.map((p, i) => h('li', {id: 'person-opt-' + i, role: 'option', 'aria-selected': 'false',
      onmousedown: (ev) => { ev.preventDefault(); take(p); }}, describe(p))),
    h('li', {id: 'person-opt-new', role: 'option', 'aria-selected': 'false', class: 'new',
      onmousedown: (ev) => { ev.preventDefault(); addNew(); }}, t('register_new_person', {name: q})));
    results.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    highlight(items.length ? 0 : items.length);
  };
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, 150); });
  input.addEventListener('keydown', (ev) => {
    const n = results.children.length;
    if (ev.key === 'ArrowDown' && n) { ev.preventDefault(); highlight((active + 1) % n); }
    else if (ev.key === 'ArrowUp' && n) { ev.preventDefault(); highlight((active - 1 + n) % n); }
    else if (ev.key === 'Escape') close();
    else if (ev.key === 'Enter' && !ev.ctrlKey && !ev.metaKey) {
      // Enter here picks, never saves the visit half-done; typed faster than the search, it
      // searches at once
      ev.preventDefault();
      if (results.hidden || active < 0) { clearTimeout(timer); search(); }
      else if (active < items.length) take(items[active]);
      else addNew();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));

  // a new person: its fields, and the registered persons it may be
  const nameInput = h('input', {id: 'np-full_name', autocomplete: 'off'});
  const idInput = h('input', {id: 'np-id_number', autocomplete: 'off', inputmode: 'numeric'});
  const phoneInput = h('input', {id: 'np-phone', autocomplete: 'off', inputmode: 'tel'});
  const hintBox = h('div', {'aria-live': 'polite', id: 'person-hints'});
  const fields = {full_name: nameInput, gender: select({id: 'np-gender'}, [['', '—'], ...terms('person.gender')]),
    birth_year: h('input', {id: 'np-birth_year', type: 'number', min: 1900, max: 2100, inputmode: 'numeric'}),
    id_number: idInput, phone: phoneInput, address: h('input', {id: 'np-address', autocomplete: 'off'})};
  const hints = async () => {
    const probes = [nameInput.value.trim(), idInput.value.trim(), phoneInput.value.trim()].filter((q) => q.length >= 2);
    const seen = new Map();
    for (const q of probes) for (const p of (await get('/persons' + query({q, limit: 5}))).items) seen.set(p.id, p);
    mount(hintBox, seen.size === 0 ? null : h('div', {class: 'dup'},
      h('p', {}, t('maybe_registered')),
      h('ul', {}, [...seen.values()].map((p) => h('li', {}, describe(p), ' ',
        h('button', {type: 'button', onclick: () => { take(p); newForm.hidden = true; }}, t('use_this_person')))))));
  };
  for (const el of [nameInput, idInput, phoneInput]) el.addEventListener('change', hints);
  const addButton = h('button', {type: 'button', id: 'add-person'}, t('add_person'));
  const newForm = h('div', {class: 'card', id: 'new-person', hidden: true},
    h('h3', {}, t('new_person')),
    h('div', {class: 'grid'}, Object.entries(fields).map(([k, el]) => field(t('f_' + k), el))),
    hintBox,
    h('div', {class: 'actions'}, addButton,
      h('button', {type: 'button', onclick: () => { newForm.hidden = true; input.focus(); }}, t('cancel'))));
  addButton.addEventListener('click', () => {
    const person = {};
    for (const [k, el] of Object.entries(fields)) {
      const v = el.value.trim();
      if (v !== '') person[k] = k === 'birth_year' ? Number(v) : v;
    }
    if (!person.full_name) { nameInput.focus(); return; }
    picked.push({person});
    for (const el of Object.values(fields)) el.value = '';
    mount(hintBox);
    newForm.hidden = true;
    render();
    input.focus();
  });
  // Enter in the new person's fields adds them rather than saving the visit half-done
  newForm.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.ctrlKey && ev.target.tagName === 'INPUT') { ev.preventDefault(); addButton.click(); }
  });

  return {
    element: h('div', {},
      field(t('find_person'), input, t('find_person_hint')), results, chips, newForm),
    selected: () => ({ids: picked.filter((p) => p.id).map((p) => p.id), fresh: picked.filter((p) => p.person).map((p) => p.person)}),
    clear: () => { picked.length = 0; render(); newForm.hidden = true; },
    focus: () => input.focus(),
  };
}
