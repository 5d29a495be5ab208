// A session's page: the visits recorded at it and the form that records the next one,
// keyboard-first (Tab through; in the person search ↓/↑ choose and Enter takes; Ctrl+Enter saves
// from anywhere in the form), then what the register says about it: the possible duplicate cases
// of a case it opened, with the one action that links the visit to an existing case instead, and
// the delegation and directive letter a visit may call for.
import {h, field, select, mount} from '../lib/h.js';
import {get, post, query} from '../lib/api.js';
import {t, label, terms} from '../lib/i18n.js';
import {values, showProblem, problemBox, submitting, clearProblems} from '../lib/forms.js';
import {sessionName} from './today.js';
import {personPicker} from './persons.js';
import {delegationForm} from './delegation.js';
import {directiveForm} from './directives.js';

export async function visitScreen(ctx, sessionID) {
  const session = await get('/sessions/' + encodeURIComponent(sessionID));
  const visitsBox = h('section', {class: 'card', 'aria-labelledby': 'visits-h'});
  const after = h('div', {id: 'after-visit'});
  const showVisits = async () => {
    const list = await get('/visits' + query({session_id: session.id, limit: 200}));
    const cases = await casesOf(list.items);
    mount(visitsBox, h('h2', {id: 'visits-h'}, t('visits_of_session', {n: list.items.length})),
      list.items.length === 0 ? h('p', {class: 'muted'}, t('no_visits')) :
        h('ol', {class: 'visits'}, list.items.map((v) => h('li', {},
          h('strong', {}, cases[v.case_id] ? cases[v.case_id].code + ' — ' + cases[v.case_id].title : v.case_id), ' · ',
          t('headcount_n', {n: v.headcount}), v.outcome ? ' · ' + label('visit.outcome', v.outcome) : ''))));
  };
  await showVisits();
  const form = visitForm(ctx, session, async (created) => {
    await showVisits();
    mount(after, await afterVisit(ctx, session, created, showVisits));
  });
  return h('div', {},
    h('p', {}, h('a', {href: '#/today'}, '← ' + t('nav_today'))),
    h('h1', {}, sessionName(session)),
    form, after, visitsBox);
}

// casesOf reads the cases the visits count for, once each.
async function casesOf(visits) {
  const out = {};
  for (const id of new Set(visits.map((v) => v.case_id))) {
    try { out[id] = await get('/cases/' + encodeURIComponent(id)); } catch { /* voided since: its id shows */ }
  }
  return out;
}

function visitForm(ctx, session, saved) {
  const status = h('p', {class: 'status', role: 'status', id: 'visit-status'});
  const persons = personPicker();
  // the case: an existing one found by its title or code, or a new one opened with the visit
  const caseMode = h('div', {role: 'radiogroup', 'aria-labelledby': 'case-h', class: 'actions'});
  const newCase = h('div', {class: 'grid', id: 'new-case'},
    field(t('f_title'), h('input', {name: 'case.title', autocomplete: 'off'})),
    field(t('f_category'), select({name: 'case.category'}, terms('case.category'))),
    field(t('f_field'), select({name: 'case.field'}, terms('case.field'))),
    field(t('f_respondent'), h('input', {name: 'case.respondent', autocomplete: 'off'})),
    field(t('f_summary'), h('textarea', {name: 'case.summary'})));
  const caseSearch = h('input', {type: 'search', id: 'case-q', autocomplete: 'off'});
  const caseChoice = select({name: 'case_id', id: 'case-pick'}, []);
  const existing = h('div', {class: 'grid', id: 'existing-case', hidden: true},
    field(t('find_case'), caseSearch), field(t('f_case'), caseChoice));
  let timer;
  caseSearch.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = caseSearch.value.trim();
      const list = q.length < 2 ? {items: []} : await get('/cases' + query({q, limit: 20}));
      mount(caseChoice, list.items.map((c) => h('option', {value: c.id}, c.code + ' — ' + c.title)));
    }, 200);
  });
  const setMode = (mode) => {
    newCase.hidden = mode !== 'new';
    existing.hidden = mode !== 'existing';
    for (const el of newCase.querySelectorAll('input, select, textarea')) el.disabled = mode !== 'new';
    caseChoice.disabled = mode !== 'existing';
  };
  for (const [mode, word] of [['new', 'case_new'], ['existing', 'case_existing']]) {
    caseMode.append(h('label', {class: 'radio'},
      h('input', {type: 'radio', name: 'case_mode', value: mode, checked: mode === 'new', onchange: () => setMode(mode)}), ' ', t(word)));
  }
  setMode('new');

  const outcome = select({name: 'outcome'}, [['', '—'], ...terms('visit.outcome')]);
  const guided = field(t('f_guidance_number'), h('input', {name: 'guidance_number', autocomplete: 'off'}));
  const transferred = h('div', {class: 'grid'},
    field(t('f_transferred_to'), h('input', {name: 'transferred_to', autocomplete: 'off'})),
    field(t('f_transfer_number'), h('input', {name: 'transfer_number', autocomplete: 'off'})));
  const showHandling = () => {
    guided.hidden = outcome.value !== 'guided';
    transferred.hidden = outcome.value !== 'transferred';
    for (const el of guided.querySelectorAll('input')) el.disabled = guided.hidden;
    for (const el of transferred.querySelectorAll('input')) el.disabled = transferred.hidden;
  };
  outcome.addEventListener('change', showHandling);
  showHandling();

  const form = h('form', {class: 'card', novalidate: true, id: 'visit-form', 'aria-labelledby': 'visit-h'},
    h('h2', {id: 'visit-h'}, t('record_visit')),
    h('p', {class: 'hint'}, t('keyboard_hint')),
    problemBox(),
    h('fieldset', {}, h('legend', {}, t('persons_received')), persons.element),
    h('fieldset', {}, h('legend', {id: 'case-h'}, t('f_case')), caseMode, newCase, existing),
    h('fieldset', {}, h('legend', {}, t('reception')),
      h('div', {class: 'grid'},
        field(t('f_headcount'), h('input', {name: 'headcount', type: 'number', min: 1, inputmode: 'numeric'}), t('headcount_hint')),
        field(t('f_outcome'), outcome)),
      guided, transferred,
      field(t('f_content'), h('textarea', {name: 'content'})),
      field(t('f_note'), h('input', {name: 'note', autocomplete: 'off'}))),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary', id: 'save-visit'}, t('save_visit')),
      h('span', {class: 'hint'}, h('kbd', {}, 'Ctrl'), '+', h('kbd', {}, 'Enter'))),
    status);

  const save = () => submitting(form, async () => {
    status.textContent = '';
    const v = values(form);
    const body = {session_id: session.id};
    const sel = persons.selected();
    if (sel.ids.length) body.person_ids = sel.ids;
    if (sel.fresh.length) body.persons = sel.fresh;
    if (v.case_mode === 'existing') body.case_id = v.case_id;
    else body.case = {title: v['case.title'] || '', category: v['case.category'], field: v['case.field'],
      respondent: v['case.respondent'], summary: v['case.summary']};
    for (const k of ['headcount', 'outcome', 'guidance_number', 'transferred_to', 'transfer_number', 'content', 'note']) {
      if (v[k] !== undefined) body[k] = v[k];
    }
    try {
      const created = await post('/visits', body);
      clearProblems(form);
      form.reset();
      persons.clear();
      setMode('new');
      showHandling();
      status.textContent = t('visit_saved', {n: created.headcount});
      await saved(created);
      persons.focus();
    } catch (err) {
      showProblem(form, err);
    }
  });
  form.addEventListener('submit', (ev) => { ev.preventDefault(); save(); });
  // Enter picks persons and adds them, so in a field it never saves the visit half-done (the
  // browser would submit the form): Ctrl+Enter, or the button, saves.
  const enterInField = (ev) => ev.key === 'Enter' && !ev.ctrlKey && !ev.metaKey && ev.target.tagName === 'INPUT';
  form.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); save(); }
    else if (enterInField(ev)) ev.preventDefault();
  });
  form.addEventListener('keypress', (ev) => { if (enterInField(ev)) ev.preventDefault(); });
  return form;
}

// afterVisit is what follows a saved visit: the duplicates of the case it opened, then the
// delegation and the directive letter about its case (the surviving one, once linked).
async function afterVisit(ctx, session, visit, changed) {
  const box = h('div', {});
  const forms = (k) => h('div', {class: 'cols'}, delegationForm(visit, k), directiveForm({caseID: k.id, sessionID: session.id, today: ctx.me.today}));
  const kase = await get('/cases/' + encodeURIComponent(visit.case_id));
  const linked = async (c) => {
    mount(box, h('p', {class: 'status', role: 'status', id: 'linked', tabindex: '-1'}, t('linked_to_case', {code: c.code})),
      forms(await get('/cases/' + encodeURIComponent(c.case_id))));
    box.querySelector('#linked').focus();
    await changed();
  };
  const dups = visit.possible_duplicates || [];
  mount(box, dups.length ? duplicatesBox(kase, dups, linked) : null, forms(kase));
  return box;
}

// duplicatesBox offers the existing cases the new one may repeat, best first, with the reasons;
// "link" merges the new case into the one chosen, so that the visit counts for it.
function duplicatesBox(kase, candidates, linked) {
  const status = h('p', {class: 'status', role: 'status'});
  const box = h('section', {class: 'dup', 'aria-labelledby': 'dup-h', id: 'duplicates'},
    h('h2', {id: 'dup-h'}, t('possible_duplicates', {code: kase.code})),
    h('p', {}, t('possible_duplicates_hint')),
    h('ol', {}, candidates.map((c) => {
      const link = h('button', {type: 'button', class: 'primary', 'data-case': c.case_id}, t('link_to_case', {code: c.code}));
      const distinct = h('button', {type: 'button'}, t('not_duplicate'));
      const item = h('li', {},
        h('strong', {}, c.code + ' — ' + c.title), ' ',
        h('span', {class: 'score'}, t('likelihood', {p: Math.round(c.score * 100)})),
        h('ul', {}, c.reasons.map((r) => h('li', {}, r))),
        h('div', {class: 'actions'}, link, distinct));
      link.addEventListener('click', async () => {
        try {
          await post('/cases/' + encodeURIComponent(kase.id) + '/merge', {into: c.case_id});
          await linked(c);
        } catch (err) { status.textContent = err.message; }
      });
      distinct.addEventListener('click', async () => {
        try {
          await post('/cases/' + encodeURIComponent(kase.id) + '/not-duplicate', {other: c.case_id});
          item.remove();
          status.textContent = t('marked_distinct', {code: c.code});
        } catch (err) { status.textContent = err.message; }
      });
      return item;
    })),
    status);
  return box;
}
