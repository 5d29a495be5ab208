// Statistics: a period picker, the summary by session kind and delegations, the report paragraph
// exactly as GET /stats/summary?format=text gives it (with a copy button), Form 01/TCD as a table
// and the exports. Every figure is the API's, shown as it comes.
import {h, field, select, mount} from '../lib/h.js';
import {get, query} from '../lib/api.js';
import {t, label, terms, currentLang} from '../lib/i18n.js';
import {showProblem, problemBox} from '../lib/forms.js';
import {formatDate} from './today.js';

export async function render(ctx) {
  const year = Number(ctx.me.today.slice(0, 4));
  const kind = select({id: 'p-kind'}, [['year', t('p_year')], ['quarter', t('p_quarter')], ['month', t('p_month')], ['6M', t('p_6m')], ['9M', t('p_9m')]]);
  const yearIn = h('input', {id: 'p-year', type: 'number', min: 2000, max: 2100, value: year, inputmode: 'numeric'});
  const quarter = select({id: 'p-quarter'}, [1, 2, 3, 4].map((q) => [q, 'Q' + q]));
  const month = select({id: 'p-month'}, Array.from({length: 12}, (_, i) => [i + 1, t('month_n', {n: i + 1})]));
  const basis = select({id: 'p-basis'}, terms('stats.basis'));
  const quarterField = field(t('p_quarter'), quarter);
  const monthField = field(t('p_month'), month);
  const out = h('div', {id: 'stats-out', 'aria-live': 'polite'});
  const form = h('form', {class: 'card', novalidate: true, 'aria-labelledby': 'period-h'},
    h('h2', {id: 'period-h'}, t('period')),
    problemBox(),
    h('div', {class: 'grid'}, field(t('period_kind'), kind), field(t('p_year'), yearIn), quarterField, monthField, field(t('basis'), basis)),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('show'))));
  const period = () => {
    const y = yearIn.value;
    switch (kind.value) {
      case 'quarter': return `${y}-Q${quarter.value}`;
      case 'month': return `${y}-${String(month.value).padStart(2, '0')}`;
      case '6M': case '9M': return `${y}-${kind.value}`;
      default: return y;
    }
  };
  const sync = () => { quarterField.hidden = kind.value !== 'quarter'; monthField.hidden = kind.value !== 'month'; };
  kind.addEventListener('change', sync);
  sync();
  const show = async () => {
    const params = {period: period(), basis: basis.value};
    try {
      const [summary, text, form01, ...breakdowns] = await Promise.all([
        get('/stats/summary' + query(params)),
        get('/stats/summary' + query({...params, format: 'text', lang: currentLang()}), {text: true}),
        get('/stats/form-01' + query(params)),
        ...['category', 'field', 'month'].map((by) => get('/stats/breakdown' + query({...params, by})))]);
      mount(out, summaryView(summary), paragraphView(text), exportsView(params),
        h('section', {'aria-labelledby': 'bd-h'}, h('h2', {id: 'bd-h'}, t('breakdowns')), h('div', {class: 'cols'}, breakdowns.map(breakdownView))),
        form01View(form01));
    } catch (err) { showProblem(form, err); }
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); show(); });
  await show();
  return h('div', {}, h('h1', {}, t('nav_stats')), form, out);
}

function figures(list) {
  return h('dl', {class: 'figures'}, list.map(([word, n, key]) => h('div', {}, h('dt', {}, word), h('dd', {'data-figure': key}, String(n)))));
}

function summaryView(s) {
  return h('section', {'aria-labelledby': 'sum-h'},
    h('h2', {id: 'sum-h'}, t('summary_title', {from: formatDate(s.from), to: formatDate(s.to)})),
    figures([[t('s_visits'), s.visits, 'visits'], [t('s_persons'), s.persons, 'persons'], [t('s_cases'), s.cases, 'cases'],
      [t('s_cases_first'), s.cases_first, 'cases_first'], [t('s_cases_repeat'), s.cases_repeat, 'cases_repeat'],
      [t('s_delegations', {n: s.delegations.min_size}), s.delegations.visits, 'delegations.visits'],
      [t('s_directives'), s.directive_letters, 'directive_letters'], [t('s_notices'), s.conclusion_notices, 'conclusion_notices']]),
    h('div', {class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('by_kind')}, h('table', {id: 'by-kind'},
      h('caption', {class: 'muted'}, t('by_kind')),
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, t('f_kind')),
        ['s_sessions', 's_visits', 's_persons', 's_cases'].map((w) => h('th', {scope: 'col', class: 'num'}, t(w))))),
      h('tbody', {}, terms('session.kind').map(([k, l]) => {
        const f = s.by_kind[k] || {sessions: 0, visits: 0, persons: 0, cases: 0};
        return h('tr', {}, h('th', {scope: 'row'}, l), [f.sessions, f.visits, f.persons, f.cases].map((n) => h('td', {class: 'num'}, String(n))));
      })))));
}

// breakdownView is one breakdown as a table whose bars are <meter>s (no drawing, no inline style):
// visits, persons and cases by category, field or month.
function breakdownView(b) {
  const max = Math.max(1, ...b.rows.map((r) => r.visits));
  const name = (r) => (b.by === 'category' ? label('case.category', r.key) : b.by === 'field' ? label('case.field', r.key) : r.label);
  const title = label('breakdown.by', b.by);
  return h('div', {class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': title}, h('table', {id: 'breakdown-' + b.by, class: 'breakdown'},
    h('caption', {}, title),
    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, t({category: 'f_category', field: 'f_field', month: 'p_month'}[b.by])),
      h('th', {scope: 'col', class: 'num'}, t('s_visits')), h('th', {scope: 'col'}, h('span', {class: 'sr-only'}, t('chart'))),
      h('th', {scope: 'col', class: 'num'}, t('s_persons')), h('th', {scope: 'col', class: 'num'}, t('s_cases')))),
    h('tbody', {}, b.rows.map((r) => h('tr', {'data-key': r.key},
      h('th', {scope: 'row'}, name(r)), h('td', {class: 'num visits'}, String(r.visits)),
      h('td', {}, h('meter', {min: 0, max, value: r.visits, 'aria-label': name(r) + ': ' + r.visits})),
      h('td', {class: 'num'}, String(r.persons)), h('td', {class: 'num'}, String(r.cases)))))));
}

function paragraphView(text) {
  const p = h('p', {class: 'paragraph', id: 'report-paragraph'}, text);
  const status = h('span', {class: 'status', role: 'status'});
  const copy = h('button', {type: 'button', id: 'copy-paragraph'}, t('copy'));
  copy.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(text); status.textContent = t('copied'); } catch { status.textContent = t('copy_failed'); }
  });
  return h('section', {'aria-labelledby': 'para-h'}, h('h2', {id: 'para-h'}, t('report_paragraph')), p, h('div', {class: 'actions'}, copy, status));
}

function exportsView(params) {
  const link = (format, word) => h('a', {class: 'button', href: '/api/v1/exports/report' + query({...params, format}), download: ''}, t(word));
  return h('section', {'aria-labelledby': 'exp-h'}, h('h2', {id: 'exp-h'}, t('exports')),
    h('div', {class: 'actions'}, link('xlsx', 'export_xlsx'), link('csv', 'export_csv'), link('pdf', 'export_pdf')));
}

function form01View(f) {
  return h('section', {'aria-labelledby': 'f01-h'},
    h('h2', {id: 'f01-h'}, f.form_number + ' — ' + f.title),
    h('p', {class: 'muted'}, f.subtitle),
    h('div', {class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': f.form_number}, h('table', {id: 'form01', class: 'form01'},
      h('thead', {}, form01Header(f.columns)),
      h('tbody', {}, f.rows.map((r) => h('tr', {class: r.total ? 'total' : ''},
        h('th', {scope: 'row'}, r.total ? t('total') : r.org_name), r.values.map((v) => h('td', {class: 'num'}, String(v)))))))));
}

// form01Header lays the columns' header paths out as the printed form draws them: a label that
// adjacent columns share on a level is one cell across them, a column's own label reaches down to
// the last header row, and a row of the column numbers closes the header.
function form01Header(cols) {
  const depth = Math.max(...cols.map((c) => c.header.length));
  const same = (a, b, level) => a.header.length > level + 1 && b.header.length > level + 1 &&
    a.header.slice(0, level + 1).join('\u0000') === b.header.slice(0, level + 1).join('\u0000');
  const rows = [];
  for (let level = 0; level < depth; level++) {
    const cells = level === 0 ? [h('th', {scope: 'col', rowspan: depth}, t('organisation'))] : [];
    for (let i = 0; i < cols.length;) {
      const path = cols[i].header;
      if (level >= path.length) { i++; continue; }
      const leaf = level === path.length - 1;
      let j = i + 1;
      if (!leaf) while (j < cols.length && same(cols[i], cols[j], level)) j++;
      cells.push(h('th', {scope: 'col', colspan: j - i > 1 ? j - i : null, rowspan: leaf && depth - level > 1 ? depth - level : null}, path[level]));
      i = j;
    }
    rows.push(h('tr', {}, cells));
  }
  rows.push(h('tr', {class: 'numbers'}, h('th', {scope: 'col'}, t('column_no')), cols.map((c) => h('th', {scope: 'col', class: 'num'}, '(' + c.number + ')'))));
  return rows;
}
