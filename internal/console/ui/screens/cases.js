// Cases: search and filters; a case's page with its timeline (visits, petitions, documents,
// delegations, directive letters and their replies) and its likely duplicates side by side with
// the reasons, to merge, to mark distinct, or to undo a merge.
import {h, field, select, mount} from '../lib/h.js';
import {get, post, query} from '../lib/api.js';
import {t, label, terms} from '../lib/i18n.js';
import {formatDate} from './today.js';

export async function render(ctx) {
  return ctx.params[0] ? casePage(ctx, ctx.params[0]) : caseList(ctx);
}

async function caseList(ctx) {
  const q = h('input', {type: 'search', name: 'q', autocomplete: 'off'});
  const filters = {
    status: select({name: 'status'}, [['', t('any')], ...terms('case.status')]),
    category: select({name: 'category'}, [['', t('any')], ...terms('case.category')]),
    field: select({name: 'field'}, [['', t('any')], ...terms('case.field')]),
  };
  const out = h('div', {'aria-live': 'polite'});
  const show = async () => {
    const list = await get('/cases' + query({q: q.value.trim(), status: filters.status.value, category: filters.category.value,
      field: filters.field.value, limit: 100, count: true}));
    mount(out, h('p', {class: 'muted'}, t('n_cases', {n: list.total ?? list.items.length})),
      h('div', {class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('nav_cases')}, h('table', {id: 'case-list'},
        h('thead', {}, h('tr', {}, ['f_code', 'f_title', 'f_category', 'f_field', 'f_status', 's_visits'].map((w) => h('th', {scope: 'col'}, t(w))))),
        h('tbody', {}, list.items.map((c) => h('tr', {},
          h('td', {}, h('a', {href: '#/cases/' + encodeURIComponent(c.id)}, c.code)), h('td', {}, c.title),
          h('td', {}, label('case.category', c.category)), h('td', {}, label('case.field', c.field)),
          h('td', {}, label('case.status', c.status)), h('td', {class: 'num'}, String(c.visit_count))))))));
  };
  let timer;
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(show, 200); });
  for (const s of Object.values(filters)) s.addEventListener('change', show);
  await show();
  return h('div', {}, h('h1', {}, t('nav_cases')),
    h('form', {class: 'card', role: 'search', onsubmit: (ev) => { ev.preventDefault(); show(); }},
      h('div', {class: 'grid'}, field(t('find_case'), q), field(t('f_status'), filters.status),
        field(t('f_category'), filters.category), field(t('f_field'), filters.field))),
    out);
}

async function casePage(ctx, id) {
  const c = await get('/cases/' + encodeURIComponent(id));
  const enc = encodeURIComponent(c.id);
  const [visits, petitions, documents, delegations, directives] = await Promise.all([
    get('/visits' + query({case_id: c.id, limit: 200})), get('/petitions' + query({case_id: c.id, limit: 200})),
    get('/documents' + query({case_id: c.id, limit: 200})), get('/delegations' + query({case_id: c.id, limit: 200})),
    get('/directives' + query({case_id: c.id, limit: 200}))]);
  const events = [
    ...visits.items.map((v) => [v.date, t('ev_visit'), [t('headcount_n', {n: v.headcount}), v.outcome && label('visit.outcome', v.outcome), v.content].filter(Boolean).join(' · ')]),
    ...petitions.items.map((p) => [p.received_on, t('ev_petition'), [p.code, label('petition.channel', p.channel), p.content].filter(Boolean).join(' · ')]),
    ...documents.items.map((d) => [d.issued_on, t('ev_document'), d.reference + ' · ' + label('document.kind', d.kind)]),
    ...delegations.items.map((d) => [d.created_at.slice(0, 10), t('ev_delegation'), d.name + ' · ' + t('headcount_n', {n: d.member_count})]),
    ...directives.items.flatMap((d) => [[d.issued_on, t('ev_directive'), d.number + ' → ' + d.recipient + ' · ' + label('directive.status', d.status)],
      ...(d.replied_on ? [[d.replied_on, t('ev_reply'), d.number + ': ' + (d.reply_summary || '')]] : [])]),
  ].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const status = h('p', {class: 'status', role: 'status', id: 'case-status'});
  const reload = async (message) => { mount(ctx.main, await casePage(ctx, id)); document.getElementById('case-status').textContent = message; };
  const act = async (path, body, message) => {
    try { await post('/cases/' + enc + path, body); await reload(message); } catch (err) { status.textContent = err.message; }
  };
  const dupBox = h('section', {class: 'card', 'aria-labelledby': 'cdup-h', id: 'case-duplicates'}, h('h2', {id: 'cdup-h'}, t('likely_duplicates')));
  if (c.merged_into) {
    const into = await get('/cases/' + encodeURIComponent(c.merged_into));
    dupBox.append(h('p', {}, t('merged_into', {code: into.code}), ' ', h('a', {href: '#/cases/' + encodeURIComponent(into.id)}, into.code)),
      h('div', {class: 'actions'}, h('button', {type: 'button', id: 'unmerge', onclick: () => act('/unmerge', {}, t('unmerged'))}, t('unmerge'))));
  } else if (ctx.me.permissions.includes('registry:read')) {
    const dups = await get('/cases/' + enc + '/duplicates');
    dupBox.append(dups.length === 0 ? h('p', {class: 'muted'}, t('none')) : h('ol', {}, dups.map((d) => h('li', {'data-case': d.case.id},
      h('div', {class: 'cols'},
        h('div', {}, h('h3', {}, c.code), h('p', {}, c.title), h('p', {class: 'muted'}, c.respondent || '')),
        h('div', {}, h('h3', {}, h('a', {href: '#/cases/' + encodeURIComponent(d.case.id)}, d.case.code)), h('p', {}, d.case.title), h('p', {class: 'muted'}, d.case.respondent || ''))),
      h('p', {class: 'score'}, t('likelihood', {p: Math.round(d.score * 100)})),
      h('ul', {}, d.reasons.map((r) => h('li', {}, r))),
      ctx.me.permissions.includes('registry:write') ? h('div', {class: 'actions'},
        h('button', {type: 'button', class: 'primary merge', onclick: () => act('/merge', {into: d.case.id}, t('linked_to_case', {code: d.case.code}))}, t('link_to_case', {code: d.case.code})),
        h('button', {type: 'button', class: 'distinct', onclick: () => act('/not-duplicate', {other: d.case.id}, t('marked_distinct', {code: d.case.code}))}, t('not_duplicate'))) : null))));
  }
  return h('div', {},
    h('p', {}, h('a', {href: '#/cases'}, '← ' + t('nav_cases'))),
    h('h1', {}, c.code + ' — ' + c.title),
    status,
    h('dl', {class: 'figures'}, [[t('f_category'), label('case.category', c.category)], [t('f_field'), label('case.field', c.field)],
      [t('f_status'), label('case.status', c.status)], [t('s_visits'), String(c.visit_count)]].map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {class: 'small'}, v)))),
    c.respondent ? h('p', {}, h('strong', {}, t('f_respondent') + ': '), c.respondent) : null,
    c.summary ? h('p', {}, c.summary) : null,
    h('section', {class: 'card', 'aria-labelledby': 'tl-h'}, h('h2', {id: 'tl-h'}, t('timeline')),
      events.length === 0 ? h('p', {class: 'muted'}, t('none')) :
        h('ol', {class: 'timeline', id: 'timeline'}, events.map(([date, kind, text]) => h('li', {}, h('strong', {}, formatDate(date) + ' · ' + kind), ' — ', text)))),
    dupBox);
}
