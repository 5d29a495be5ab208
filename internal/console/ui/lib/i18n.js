// The console's words. Every value of the contract's vocabulary (categories, outcomes, roles,
// statuses, the codes of field errors…) is labelled from GET /vocab, in the language chosen; the
// console's own words (buttons, headings) are below, Vietnamese first. The language choice is
// the only thing the console keeps in the browser's storage.
import {get} from './api.js';

const words = {
  app: ['Sổ tiếp công dân', 'Citizen reception register'],
  loading: ['Đang tải…', 'Loading…'],
  sign_in: ['Đăng nhập', 'Sign in'],
  sign_out: ['Đăng xuất', 'Sign out'],
  username: ['Tên đăng nhập', 'Username'],
  password: ['Mật khẩu', 'Password'],
  wrong_credentials: ['Sai tên đăng nhập hoặc mật khẩu.', 'Wrong username or password.'],
  locked_out: ['Đăng nhập sai quá nhiều lần. Thử lại sau {n} giây.', 'Too many failed attempts. Try again in {n} seconds.'],
  change_password: ['Đổi mật khẩu', 'Change password'],
  must_change: ['Đây là mật khẩu dùng một lần: hãy đặt mật khẩu mới trước khi làm việc.', 'This is a one-time password: set a new one before you go on.'],
  current_password: ['Mật khẩu hiện tại', 'Current password'],
  new_password: ['Mật khẩu mới', 'New password'],
  new_password_hint: ['Ít nhất 12 ký tự, không chứa tên đăng nhập, không dễ đoán (vài từ không liên quan là được).', 'At least 12 characters, not containing the username, not easy to guess (a few unrelated words will do).'],
  repeat_password: ['Nhập lại mật khẩu mới', 'Repeat the new password'],
  passwords_differ: ['Hai lần nhập mật khẩu mới không khớp.', 'The two new passwords differ.'],
  password_changed: ['Đã đổi mật khẩu.', 'Password changed.'],
  language: ['English', 'Tiếng Việt'],
  language_label: ['Switch to English', 'Chuyển sang tiếng Việt'],
  nav: ['Điều hướng chính', 'Main navigation'],
  nav_today: ['Hôm nay', 'Today'],
  nav_stats: ['Thống kê', 'Statistics'],
  nav_directives: ['Công văn chỉ đạo', 'Directive letters'],
  nav_cases: ['Vụ việc', 'Cases'],
  save: ['Lưu', 'Save'],
  cancel: ['Hủy', 'Cancel'],
  error: ['Có lỗi', 'Something went wrong'],
  network: ['Không kết nối được máy chủ.', 'The server cannot be reached.'],
  forbidden: ['Vai trò của bạn không được làm việc này.', 'Your role may not do this.'],
  not_found_screen: ['Không có màn hình này.', 'There is no such screen.'],
  none: ['Không có', 'None'],
  today_title: ['Hôm nay, {date}', 'Today, {date}'],
  sessions_today: ['Các buổi tiếp hôm nay', "Today's reception sessions"],
  no_sessions_today: ['Hôm nay chưa có buổi tiếp nào. Mở một buổi ở dưới.', 'No session today yet. Open one below.'],
  new_session: ['Mở buổi tiếp', 'Open a session'],
  open_session: ['Mở buổi tiếp', 'Open the session'],
  host_role_hint: ['Bắt buộc với tiếp định kỳ và đột xuất; để trống với tiếp thường xuyên.', 'Required for periodic and urgent sessions; leave empty for regular ones.'],
  f_kind: ['Loại buổi tiếp', 'Kind of session'],
  f_date: ['Ngày', 'Date'],
  f_host_name: ['Người chủ trì', 'Host'],
  f_host_title: ['Chức vụ người chủ trì', "Host's title"],
  f_host_role: ['Thủ trưởng tiếp hay ủy quyền', 'The head or a deputy'],
  f_location: ['Địa điểm', 'Place'],
  visits_of_session: ['Các lượt tiếp của buổi ({n})', 'Visits of this session ({n})'],
  no_visits: ['Chưa có lượt tiếp nào.', 'No visit yet.'],
  headcount_n: ['{n} người', '{n} persons'],
  record_visit: ['Ghi lượt tiếp', 'Record a visit'],
  keyboard_hint: ['Dùng bàn phím: Tab để chuyển ô, ↓/↑ và Enter để chọn người, Ctrl+Enter để lưu.', 'Keyboard: Tab between fields, ↓/↑ and Enter to pick a person, Ctrl+Enter to save.'],
  persons_received: ['Công dân được tiếp', 'Persons received'],
  find_person: ['Tìm công dân', 'Find a person'],
  find_person_hint: ['Họ tên (không cần dấu), số CCCD/CMND hoặc số điện thoại.', 'Name (diacritics optional), ID number or phone.'],
  search_results: ['Kết quả tìm', 'Search results'],
  register_new_person: ['+ Thêm người mới “{name}”', '+ Register a new person “{name}”'],
  new_person: ['Người mới', 'New person'],
  new_person_tag: ['Mới', 'New'],
  add_person: ['Thêm vào lượt tiếp', 'Add to the visit'],
  remove: ['Bỏ', 'Remove'],
  maybe_registered: ['Có thể người này đã có trong sổ:', 'This person may already be registered:'],
  use_this_person: ['Chọn người này', 'Use this person'],
  f_full_name: ['Họ và tên', 'Full name'],
  f_gender: ['Giới tính', 'Gender'],
  f_birth_year: ['Năm sinh', 'Birth year'],
  f_id_number: ['Số CCCD/CMND/hộ chiếu', 'ID number'],
  f_phone: ['Số điện thoại', 'Phone'],
  f_address: ['Địa chỉ', 'Address'],
  f_case: ['Vụ việc', 'Case'],
  case_new: ['Vụ việc mới', 'A new case'],
  case_existing: ['Vụ việc đã có', 'An existing case'],
  find_case: ['Tìm vụ việc (tiêu đề hoặc mã)', 'Find a case (title or code)'],
  f_title: ['Tiêu đề vụ việc', 'Title of the case'],
  f_category: ['Phân loại', 'Category'],
  f_field: ['Lĩnh vực', 'Field'],
  f_respondent: ['Người/cơ quan bị khiếu nại, tố cáo', 'Respondent'],
  f_summary: ['Tóm tắt nội dung', 'Summary'],
  reception: ['Tiếp và xử lý', 'Reception and handling'],
  f_headcount: ['Số người', 'Headcount'],
  headcount_hint: ['Để trống: bằng số người đã chọn.', 'Empty: as many as the persons chosen.'],
  f_outcome: ['Hướng xử lý', 'Handling'],
  f_guidance_number: ['Số văn bản hướng dẫn', 'Guidance document number'],
  f_transferred_to: ['Chuyển đến', 'Transferred to'],
  f_transfer_number: ['Số văn bản chuyển', 'Transfer document number'],
  f_content: ['Nội dung tiếp', 'What was said'],
  f_note: ['Ghi chú', 'Note'],
  save_visit: ['Lưu lượt tiếp', 'Save the visit'],
  visit_saved: ['Đã lưu lượt tiếp ({n} người).', 'Visit saved ({n} persons).'],
  possible_duplicates: ['Vụ việc {code} có thể trùng với vụ việc đã có', 'Case {code} may repeat an existing case'],
  possible_duplicates_hint: ['Nếu là cùng một vụ việc, gộp để lượt tiếp được tính cho vụ việc đã có.', 'If it is the same matter, link it so the visit counts for the existing case.'],
  likelihood: ['khả năng trùng {p}%', '{p}% likely the same'],
  link_to_case: ['Gộp vào {code}', 'Link to {code}'],
  linked_to_case: ['Đã gộp: lượt tiếp được tính cho vụ việc {code}.', 'Linked: the visit counts for case {code}.'],
  not_duplicate: ['Không trùng', 'Not a duplicate'],
  marked_distinct: ['Đã ghi nhận: không trùng với {code}.', 'Recorded: not a duplicate of {code}.'],
  record_delegation: ['Ghi nhận đoàn đông người', 'Record a delegation'],
  delegation_rule: ['Theo Luật Tiếp công dân (Điều 29): đoàn từ 5 đến 10 người cử 1 hoặc 2 người đại diện; trên 10 người cử không quá 5 người.', 'By the Law on Citizen Reception (Art. 29): a group of 5 to 10 names 1 or 2 representatives; more than 10, at most 5.'],
  f_delegation_name: ['Tên đoàn', 'Name of the delegation'],
  f_member_count: ['Số người trong đoàn', 'Members'],
  representatives: ['Người đại diện', 'Representatives'],
  save_delegation: ['Lưu đoàn', 'Save the delegation'],
  delegation_saved: ['Đã lưu đoàn “{name}”.', 'Delegation “{name}” saved.'],
  issue_directive: ['Ghi công văn chỉ đạo', 'Record a directive letter'],
  f_number: ['Số công văn', 'Number'],
  f_issued_on: ['Ngày ban hành', 'Issued on'],
  f_recipient: ['Nơi nhận', 'Recipient'],
  f_due_on: ['Hạn trả lời', 'Reply due on'],
  f_request: ['Nội dung chỉ đạo', 'What is asked'],
  save_directive: ['Lưu công văn', 'Save the letter'],
  directive_saved: ['Đã lưu công văn {number}.', 'Letter {number} saved.'],
  pending_or_overdue: ['Đang chờ hoặc quá hạn', 'Pending or overdue'],
  f_status: ['Trạng thái', 'Status'],
  record_reply: ['Ghi trả lời', 'Record the reply'],
  reply_recorded: ['Đã ghi trả lời công văn {number}.', 'Reply to {number} recorded.'],
  f_replied_on: ['Ngày trả lời', 'Replied on'],
  f_reply_summary: ['Nội dung trả lời', 'What the reply says'],
  issued_due: ['ban hành {issued}, hạn {due}', 'issued {issued}, due {due}'],
  replied_on: ['Trả lời ngày {date}', 'Replied on {date}'],
  period: ['Kỳ báo cáo', 'Period'],
  period_kind: ['Loại kỳ', 'Kind of period'],
  p_year: ['Năm', 'Year'],
  p_quarter: ['Quý', 'Quarter'],
  p_month: ['Tháng', 'Month'],
  p_6m: ['6 tháng', 'Six months'],
  p_9m: ['9 tháng', 'Nine months'],
  month_n: ['Tháng {n}', 'Month {n}'],
  basis: ['Cách tính kỳ', 'Basis'],
  show: ['Xem', 'Show'],
  summary_title: ['Tổng hợp từ {from} đến {to}', 'Summary from {from} to {to}'],
  s_visits: ['Lượt tiếp', 'Visits'],
  s_persons: ['Người được tiếp', 'Persons'],
  s_cases: ['Vụ việc', 'Cases'],
  s_cases_first: ['Tiếp lần đầu', 'First time'],
  s_cases_repeat: ['Tiếp nhiều lần', 'Repeat'],
  s_delegations: ['Lượt đoàn (từ {n} người)', 'Delegation visits ({n}+ persons)'],
  s_directives: ['Công văn chỉ đạo', 'Directive letters'],
  s_notices: ['Thông báo kết luận', 'Conclusion notices'],
  s_sessions: ['Buổi tiếp', 'Sessions'],
  by_kind: ['Theo loại buổi tiếp', 'By kind of session'],
  report_paragraph: ['Đoạn báo cáo', 'Report paragraph'],
  copy: ['Sao chép', 'Copy'],
  copied: ['Đã sao chép.', 'Copied.'],
  copy_failed: ['Trình duyệt không cho sao chép: hãy chọn và sao chép đoạn văn.', 'The browser refused: select the paragraph and copy it.'],
  exports: ['Xuất báo cáo', 'Exports'],
  export_xlsx: ['Tải Excel (XLSX)', 'Download XLSX'],
  export_csv: ['Tải CSV', 'Download CSV'],
  export_pdf: ['Tải PDF', 'Download PDF'],
  organisation: ['Cơ quan', 'Organisation'],
  total: ['Tổng cộng', 'Total'],
  any: ['Tất cả', 'Any'],
  n_cases: ['{n} vụ việc', '{n} cases'],
  f_code: ['Mã', 'Code'],
  timeline: ['Diễn biến', 'Timeline'],
  ev_visit: ['Lượt tiếp', 'Visit'],
  ev_petition: ['Đơn', 'Petition'],
  ev_document: ['Phiếu, văn bản', 'Document'],
  ev_delegation: ['Đoàn đông người', 'Delegation'],
  ev_directive: ['Công văn chỉ đạo', 'Directive letter'],
  ev_reply: ['Trả lời công văn', 'Reply to a letter'],
  likely_duplicates: ['Vụ việc có thể trùng', 'Likely duplicates'],
  merged_into: ['Vụ việc này đã được gộp vào', 'This case was merged into'],
  unmerge: ['Hoàn tác gộp', 'Undo the merge'],
  unmerged: ['Đã hoàn tác gộp.', 'The merge is undone.'],
};

let lang = localStorage.getItem('tcd.lang') === 'en' ? 'en' : 'vi';
let vocab = {};

export const currentLang = () => lang;

export function setLang(l) {
  lang = l === 'en' ? 'en' : 'vi';
  localStorage.setItem('tcd.lang', lang);
  document.documentElement.lang = lang;
}
document.documentElement.lang = lang;

// t is one of the console's words; {name} in it is replaced from args.
export function t(key, args) {
  const w = words[key];
  let s = w ? w[lang === 'en' ? 1 : 0] : key;
  for (const [k, v] of Object.entries(args || {})) s = s.replace('{' + k + '}', v);
  return s;
}

// loadVocab reads GET /vocab once per sign-in.
export async function loadVocab() { vocab = await get('/vocab'); }

// label is a vocabulary value's label: label('case.category', 'complaint') → "Khiếu nại".
export function label(key, value) {
  const term = (vocab[key] || []).find((x) => x.value === value);
  return term ? term[lang] : value;
}

// terms lists a vocabulary as [value, label] pairs, in the order reports print it.
export function terms(key) { return (vocab[key] || []).map((x) => [x.value, x[lang]]); }
