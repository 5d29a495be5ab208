// Deadlines: what is due soon or overdue (petitions to decide, cases under resolution, directive
// letters awaiting a reply), by due date; a petition is decided here.
import {h, field, select, mount} from '../lib/h.js';
import {get, post, query} from '../lib/api.js';
import {t, label, terms} from '../lib/i18n.js';
import {onSubmit, problemBox, values} from '../lib/forms.js';
import {formatDate} from './today.js';

export async function render(ctx) {
  const status = h('p', {class: 'status', role: 'status', id: 'deadline-status'});
  const listBox = h('div', {});
  const show = async (message) => {
    const list = await get('/deadlines');
    status.textContent = typeof message === 'string' ? message : '';
    mount(listBox, list.items.length === 0 ? h('p', {class: 'muted'}, t('none')) :
      h('ul', {class: 'list', id: 'deadlines'}, list.items.map((d) => item(ctx, d, show))));
  };
  await show();
  return h('div', {}, h('h1', {}, t('nav_deadlines')), status, listBox);
}

function item(ctx, d, refresh) {
  const head = h('p', {},
    h('strong', {}, label('deadline.kind', d.kind) + ' ' + d.number), ' · ',
    h('span', {class: d.status === 'overdue' ? 'overdue' : ''}, label('deadline.due', d.status)), ' · ',
    t('due_on', {date: formatDate(d.due_on)}));
  if (d.kind === 'case') return h('li', {'data-number': d.number}, head, h('a', {href: '#/cases/' + encodeURIComponent(d.id)}, t('open_case')));
  if (d.kind === 'directive') return h('li', {'data-number': d.number}, head, h('a', {href: '#/directives'}, t('nav_directives')));
  if (!ctx.me.permissions.includes('registry:write')) return h('li', {'data-number': d.number}, head);
  const decision = select({name: 'decision'}, terms('petition.decision'));
  const form = h('form', {class: 'reply', novalidate: true, 'aria-label': t('decide') + ' ' + d.number},
    problemBox(),
    h('div', {class: 'grid'},
      field(t('f_decision'), decision),
      field(t('f_decided_on'), h('input', {name: 'decided_on', type: 'date', value: ctx.me.today})),
      field(t('f_decision_number'), h('input', {name: 'decision_number', autocomplete: 'off'})),
      field(t('f_transferred_to'), h('input', {name: 'transferred_to', autocomplete: 'off'}), t('transferred_to_hint')),
      field(t('f_guidance'), h('input', {name: 'guidance', autocomplete: 'off'}))),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('decide'))));
  onSubmit(form, async () => {
    await post('/petitions/' + encodeURIComponent(d.id) + '/decide', values(form));
    await refresh(t('petition_decided', {number: d.number}));
  });
  return h('li', {'data-number': d.number}, head, form);
}
