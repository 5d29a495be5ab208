// Recording a delegation (đoàn đông người) that came about a visit's case, its representatives
// chosen among the visit's persons, with the law's rule on how many they may name.
import {h, field, mount} from '../lib/h.js';
import {get, post} from '../lib/api.js';
import {t} from '../lib/i18n.js';
import {onSubmit, problemBox} from '../lib/forms.js';

export function delegationForm(visit, kase) {
  const status = h('p', {class: 'status', role: 'status'});
  const reps = h('div', {class: 'field', 'data-field': 'representative_ids'}, h('p', {class: 'error', hidden: true}));
  const form = h('form', {class: 'card', novalidate: true, id: 'delegation-form', 'aria-labelledby': 'deleg-h'},
    h('h2', {id: 'deleg-h'}, t('record_delegation')),
    h('p', {class: 'hint'}, t('delegation_rule')),
    problemBox(),
    field(t('f_delegation_name'), h('input', {name: 'name', autocomplete: 'off'})),
    field(t('f_member_count'), h('input', {name: 'member_count', type: 'number', min: 2, inputmode: 'numeric', value: visit.headcount})),
    h('fieldset', {}, h('legend', {}, t('representatives')), reps),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('save_delegation'))),
    status);
  (async () => {
    const boxes = [];
    for (const id of visit.person_ids) {
      const p = await get('/persons/' + encodeURIComponent(id));
      boxes.push(h('label', {class: 'radio'}, h('input', {type: 'checkbox', value: id, class: 'rep'}), ' ', p.full_name));
    }
    reps.prepend(...boxes.map((b) => h('div', {}, b)));
  })();
  onSubmit(form, async () => {
    const body = {name: form.elements.name.value.trim(), member_count: Number(form.elements.member_count.value) || 0,
      representative_ids: [...form.querySelectorAll('input.rep:checked')].map((c) => c.value), case_id: kase.id};
    const d = await post('/delegations', body);
    mount(status, t('delegation_saved', {name: d.name}));
  });
  return form;
}
