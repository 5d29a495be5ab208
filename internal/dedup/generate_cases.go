package dedup

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Kinds of generated cases. An original is a matter's first case; the kinds after it are
// later cases, each opened at a visit 2 weeks to 5 months after the case it repeats or
// resembles: five ways a matter comes back (the same matter: a duplicate), two ways a case
// only looks like an earlier one, and ordinary new matters.
const (
	KindOriginal   = "original"
	KindReturning  = "returning"  // the same citizen returns; another clerk writes the title and summary again
	KindHousehold  = "household"  // a family member (same family name and address) brings the same matter
	KindDelegation = "delegation" // the matter comes back with a delegation, or a member of the delegation that brought it comes alone
	KindRespondent = "respondent" // the same citizen; the respondent written another way (TN&MT, "UBND H. …", "Chủ tịch UBND …")
	KindField      = "field"      // the same citizen; filed under a neighbouring field, in other words
	KindNeighbour  = "neighbour"  // look-alike: another household of the same project, against the same respondent
	KindOther      = "other"      // look-alike: the same citizen about another matter
	KindOrdinary   = "ordinary"   // a new citizen's new matter
)

// DuplicateKinds are the kinds that are the same matter as an earlier case.
var DuplicateKinds = []string{KindReturning, KindHousehold, KindDelegation, KindRespondent, KindField}

// LookalikeKinds are the later kinds that are not.
var LookalikeKinds = []string{KindNeighbour, KindOther, KindOrdinary}

// LabelledCase is a generated case with the truth about it: cases of one Matter are the same
// matter.
type LabelledCase struct {
	Case
	Status     string
	Date       string // of the visit that opened it
	Matter     int
	Kind       string
	Persons    []int // indexes in CaseRegister.Persons of the citizens at that visit
	Delegation int   // index in CaseRegister.Delegations of the delegation that came, -1 for none
}

// Later says whether the case is one a benchmark opens at a visit and looks up.
func (c LabelledCase) Later() bool { return c.Kind != KindOriginal }

// GeneratedDelegation is a delegation of the register.
type GeneratedDelegation struct {
	Name            string
	Members         int
	Representatives []int // indexes in CaseRegister.Persons
}

// CaseRegister is a generated register: persons, delegations and cases, the cases in the
// order of their dates.
type CaseRegister struct {
	Persons     []Labelled
	Delegations []GeneratedDelegation
	Cases       []LabelledCase
}

// matter is what one matter is about: the facts every case of it tells, each in its own words.
type matter struct {
	kind                                    int // index in matterKinds
	owner                                   string
	district, commune, village              string
	plot, sheet, area, money, year, month   int
	decision, plan, judgment, judgmentYear  int
	project, other, martyr, company, agency string
}

// matterKind is a kind of matter: its field, category, respondents, and the phrasings clerks
// use for its title and summary (slots in braces).
type matterKind struct {
	field, category string
	respondents     []string
	titles          []string
	summaries       []string
	project         bool // about a project: other households of the project are look-alikes
}

var matterKinds = []matterKind{
	{"land", "complaint", []string{"UBND {district}"}, []string{
		"Khiếu nại việc thu hồi đất của hộ {owner} tại thửa đất số {plot}, tờ bản đồ số {sheet}, {village}, {commune}",
		"Không đồng ý Quyết định số {decision}/QĐ-UBND về việc thu hồi đất để thực hiện dự án {project}",
		"Khiếu nại thu hồi đất thực hiện dự án {project} tại {commune}",
		"Đề nghị xem xét lại việc thu hồi {area} m2 đất nông nghiệp của gia đình tại {village}, {commune}"}, []string{
		"Gia đình cho rằng việc thu hồi {area} m2 đất tại thửa số {plot}, tờ bản đồ số {sheet} theo Quyết định số {decision}/QĐ-UBND để thực hiện dự án {project} là không đúng quy định",
		"Công dân trình bày: năm {year}, UBND {district} ban hành Quyết định số {decision}/QĐ-UBND thu hồi đất của gia đình tại {village}, {commune}; đề nghị xem xét giải quyết",
		"Đất của hộ {owner} (thửa {plot}, tờ bản đồ {sheet}) bị thu hồi làm dự án {project} nhưng chưa được bố trí tái định cư"}, true},
	{"land", "complaint", []string{"UBND {district}", "Trung tâm Phát triển quỹ đất {district}"}, []string{
		"Khiếu nại mức bồi thường, hỗ trợ cho hộ {owner} khi thu hồi đất thực hiện dự án {project}",
		"Không đồng ý phương án bồi thường theo Quyết định số {plan}/QĐ-UBND của dự án {project}",
		"Đề nghị tính lại giá bồi thường {area} m2 đất ở tại {village}, {commune}",
		"Kiến nghị được hỗ trợ tái định cư khi thu hồi đất dự án {project}"}, []string{
		"Đề nghị tính lại giá bồi thường {area} m2 đất ở tại thửa số {plot}, tờ bản đồ số {sheet}, {village}, {commune}; gia đình mới nhận {money} triệu đồng",
		"Công dân trình bày: phương án bồi thường phê duyệt tại Quyết định số {plan}/QĐ-UBND chỉ tính {money} triệu đồng cho {area} m2 đất của gia đình",
		"Hộ {owner} cho rằng giá bồi thường đất tại {commune} thấp hơn giá thị trường, đến nay chưa được giải quyết"}, true},
	{"land", "petition", []string{"Văn phòng đăng ký đất đai tỉnh Quảng Trị", "UBND {commune}"}, []string{
		"Đề nghị cấp giấy chứng nhận quyền sử dụng đất thửa số {plot}, tờ bản đồ số {sheet} tại {village}, {commune}",
		"Kiến nghị chậm cấp giấy chứng nhận quyền sử dụng đất cho hộ {owner}",
		"Đề nghị cấp sổ đỏ cho thửa đất {plot} tờ bản đồ {sheet}"}, []string{
		"Hồ sơ của hộ {owner} nộp tháng {month} năm {year} đến nay chưa được giải quyết",
		"Gia đình sử dụng ổn định {area} m2 đất tại {village}, {commune} từ năm {year} nhưng chưa được cấp giấy chứng nhận"}, false},
	{"land", "complaint", []string{"UBND {commune}"}, []string{
		"Tranh chấp ranh giới đất giữa hộ {owner} và hộ {other} tại {village}, {commune}",
		"Đề nghị giải quyết tranh chấp đất với hộ {other}",
		"Phản ánh hộ {other} lấn chiếm đất của gia đình tại thửa {plot}, tờ bản đồ {sheet}"}, []string{
		"Hộ liền kề xây tường rào lấn sang {area} m2 đất của gia đình tại thửa số {plot}, tờ bản đồ số {sheet}",
		"Gia đình đã đề nghị UBND {commune} hòa giải nhưng hộ {other} không chấp hành"}, false},
	{"housing", "feedback", []string{"UBND {commune}"}, []string{
		"Phản ánh hộ {other} xây dựng nhà ở trái phép lấn chiếm lối đi chung tại {village}, {commune}",
		"Đề nghị xử lý công trình xây dựng trái phép của hộ {other}"}, []string{
		"Công trình rộng {area} m2 xây dựng từ tháng {month} năm {year} chưa bị xử lý",
		"Hộ {other} xây nhà lấn sang đất của gia đình {owner} khoảng {area} m2"}, false},
	{"policy", "petition", []string{"Sở Lao động - Thương binh và Xã hội tỉnh Quảng Trị"}, []string{
		"Đề nghị giải quyết chế độ người có công với cách mạng cho thân nhân liệt sĩ {martyr}",
		"Kiến nghị xem xét hồ sơ đề nghị công nhận liệt sĩ {martyr}",
		"Đề nghị hưởng chế độ thờ cúng liệt sĩ {martyr}"}, []string{
		"Hồ sơ của thân nhân {owner} đã gửi từ tháng {month} năm {year}",
		"Gia đình {owner} ở {village}, {commune} có liệt sĩ {martyr} nhưng chưa được hưởng chế độ"}, false},
	{"policy", "petition", []string{"Bảo hiểm xã hội tỉnh Quảng Trị", "Bảo hiểm xã hội {district}"}, []string{
		"Đề nghị giải quyết chế độ bảo hiểm xã hội cho {owner}",
		"Kiến nghị về việc Công ty {company} nợ tiền bảo hiểm xã hội của người lao động",
		"Đề nghị giải quyết chính sách bảo hiểm xã hội một lần"}, []string{
		"Công dân làm việc tại Công ty {company} từ năm {year} nhưng công ty chưa đóng bảo hiểm xã hội, số tiền nợ {money} triệu đồng",
		"Đề nghị cơ quan bảo hiểm xã hội giải quyết chế độ hưu trí cho {owner}"}, false},
	{"policy", "petition", []string{"UBND {commune}"}, []string{
		"Kiến nghị được hưởng trợ cấp bảo trợ xã hội cho {owner} tại {village}, {commune}",
		"Đề nghị xét trợ cấp cho người cao tuổi {owner}"}, []string{
		"Gia đình {owner} thuộc hộ nghèo năm {year} nhưng chưa được xét trợ cấp"}, false},
	{"judicial", "petition", []string{"Tòa án nhân dân tỉnh Quảng Trị"}, []string{
		"Kiến nghị xem xét lại bản án dân sự phúc thẩm số {judgment}/{jyear}/DS-PT",
		"Đề nghị kháng nghị giám đốc thẩm bản án số {judgment}/{jyear}/DS-PT về tranh chấp thừa kế"}, []string{
		"Bản án tuyên chia thừa kế {area} m2 đất của hộ {owner} tại {village}, {commune} không đúng"}, false},
	{"judicial", "petition", []string{"Chi cục Thi hành án dân sự {district}"}, []string{
		"Đề nghị tổ chức thi hành Quyết định thi hành án số {decision}/QĐ-CCTHADS",
		"Kiến nghị chậm thi hành bản án số {judgment}/{jyear}/DS-ST"}, []string{
		"Người phải thi hành án còn nợ gia đình {owner} {money} triệu đồng theo bản án số {judgment}/{jyear}/DS-ST"}, false},
	{"civil_service", "denunciation", []string{"UBND {district}"}, []string{
		"Tố cáo cán bộ địa chính {commune} gây khó khăn khi làm thủ tục tách thửa số {plot}, tờ bản đồ số {sheet}",
		"Tố cáo công chức {commune} nhận tiền của người dân khi làm thủ tục đất đai"}, []string{
		"Cán bộ yêu cầu hộ {owner} nộp thêm {money} triệu đồng không có trong quy định"}, false},
	{"corruption", "denunciation", []string{"UBND {district}"}, []string{
		"Tố cáo Chủ tịch UBND {commune} tham ô tiền hỗ trợ dự án {project}",
		"Tố cáo sai phạm trong chi trả tiền hỗ trợ dự án {project} tại {commune}"}, []string{
		"Số tiền hỗ trợ khoảng {money} triệu đồng không được chi đúng đối tượng"}, true},
	{"other", "feedback", []string{"UBND {district}", "Sở Tài nguyên và Môi trường tỉnh Quảng Trị"}, []string{
		"Phản ánh ô nhiễm môi trường do cơ sở chăn nuôi của hộ {other} tại {village}, {commune}",
		"Đề nghị xử lý trang trại lợn gây ô nhiễm tại {village}, {commune}"}, []string{
		"Mùi hôi và nước thải ảnh hưởng đến {area} hộ dân xung quanh"}, false},
	{"other", "petition", []string{"UBND {commune}"}, []string{
		"Kiến nghị sửa chữa tuyến đường liên thôn từ {village} đến trung tâm {commune}",
		"Đề nghị nâng cấp đường giao thông {village}, {commune}"}, []string{
		"Tuyến đường dài {area} m xuống cấp nghiêm trọng từ năm {year}"}, false},
}

// project is a public works project: where it takes land, and the decision approving its
// compensation plan, which every household it displaces cites.
type project struct {
	name     string
	district int
	communes []string
	plan     int
}

var projectNames = strings.Split("đường tránh Đông Hà,khu công nghiệp Quán Ngang,cảng biển Mỹ Thủy,hồ chứa nước Ái Tử,"+
	"khu dân cư Nam Đông Hà,điện gió Hướng Linh,đường ven biển Cửa Việt,khu đô thị Bắc Sông Hiếu,"+
	"nhà máy điện khí Hải Lăng,đường Hồ Chí Minh nhánh Tây,khu tái định cư Gio Việt,cầu Cửa Tùng", ",")

var companies = strings.Split("May Quảng Trị,Gỗ Trường Sơn,Xây dựng Miền Trung,Cao su Khe Sanh,Thủy sản Cửa Việt,Vận tải Đông Hà", ",")

// GenerateCaseRegister returns a labelled register of about n cases over 20 months, with the
// persons (GeneratePersons, plus family members) and delegations they involve. About two
// thirds are the register's history (originals); the rest are later cases: duplicates of the
// five kinds, look-alikes and ordinary new matters, in the proportions a Board sees.
func GenerateCaseRegister(n int, seed uint64) CaseRegister {
	g := &caseGenerator{generator: generator{r: rand.New(rand.NewPCG(seed, 0x63617365))}}
	g.reg.Persons = GeneratePersons(n, seed)
	g.copies = map[int][]int{}
	for i, p := range g.reg.Persons {
		g.copies[p.Entity] = append(g.copies[p.Entity], i)
		if p.Role == RoleOriginal && p.Address != nil {
			g.citizens = append(g.citizens, i)
		}
		g.nextEntity = max(g.nextEntity, p.Entity+1)
	}
	g.r.Shuffle(len(g.citizens), func(i, j int) { g.citizens[i], g.citizens[j] = g.citizens[j], g.citizens[i] })
	for i, name := range projectNames {
		d := i % len(districts)
		communes := strings.Split(districts[d].communes, ",")
		k := 1 + g.r.IntN(3)
		g.projects = append(g.projects, project{name: name, district: d, communes: communes[:min(k, len(communes))], plan: 100 + g.r.IntN(3000)})
	}
	originals := n * 2 / 3
	for range originals {
		g.original()
	}
	laterKinds := weighted{values: []string{KindReturning, KindHousehold, KindDelegation, KindRespondent, KindField, KindNeighbour, KindOther, KindOrdinary},
		cum: []float64{0.1, 0.17, 0.24, 0.31, 0.38, 0.58, 0.78, 1}}
	for len(g.reg.Cases) < n {
		g.later(laterKinds.pick(g.r))
	}
	// in date order, as they came
	cs := g.reg.Cases
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].Date < cs[j-1].Date; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
	return g.reg
}

type caseGenerator struct {
	generator
	reg        CaseRegister
	copies     map[int][]int // person indexes by entity: a citizen's records
	citizens   []int         // original persons not yet the citizen of a matter
	nextEntity int
	projects   []project
	matters    []matter
	first      []int // per matter, the index of its original case
}

var epoch = time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC)

func (g *caseGenerator) newCitizen() int {
	if len(g.citizens) == 0 {
		// a register with more matters than citizens: someone comes about a second matter
		return g.r.IntN(len(g.reg.Persons))
	}
	c := g.citizens[len(g.citizens)-1]
	g.citizens = g.citizens[:len(g.citizens)-1]
	return c
}

// original opens a new matter, dated within the first 15 months.
func (g *caseGenerator) original() {
	citizen := g.newCitizen()
	m := g.newMatter(g.r.IntN(len(matterKinds)), citizen, -1)
	date := epoch.AddDate(0, 0, g.r.IntN(450))
	c := g.render(m, -1, -1)
	status := "open"
	switch x := g.r.Float64(); {
	case x < 0.3:
		status = "resolved"
	case x < 0.4:
		status = "closed"
	}
	delegation := -1
	persons := []int{citizen}
	if g.chance(0.08) {
		// brought by a delegation of the village, the citizen one of its representatives
		delegation, persons = g.delegation(m, citizen)
	}
	g.first = append(g.first, len(g.reg.Cases))
	g.reg.Cases = append(g.reg.Cases, LabelledCase{Case: c, Status: status, Date: date.Format(time.DateOnly), Matter: len(g.matters) - 1,
		Kind: KindOriginal, Persons: persons, Delegation: delegation})
}

// newMatter makes up a matter of kind k for citizen; a look-alike of the same project passes
// its project index.
func (g *caseGenerator) newMatter(k, citizen, projectIndex int) matter {
	p := g.reg.Persons[citizen].Person
	m := matter{kind: k, owner: map[string]string{"female": "bà ", "male": "ông "}[p.Gender] + p.FullName,
		plot: 1 + g.r.IntN(900), sheet: 1 + g.r.IntN(60), area: 50 + g.r.IntN(2000), money: 10 + g.r.IntN(500),
		year: 2005 + g.r.IntN(19), month: 1 + g.r.IntN(12), decision: 100 + g.r.IntN(9000), judgment: 1 + g.r.IntN(300),
		judgmentYear: 2015 + g.r.IntN(9), other: g.name("male"), martyr: g.name("male"),
		company: companies[g.r.IntN(len(companies))]}
	if p.Gender == "unknown" {
		m.owner = p.FullName
	}
	if projectIndex < 0 {
		projectIndex = g.r.IntN(len(g.projects))
	}
	pr := g.projects[projectIndex]
	m.project, m.plan = pr.name, pr.plan
	d := districts[pr.district]
	commune := pr.communes[g.r.IntN(len(pr.communes))]
	if !matterKinds[k].project {
		d = districts[g.r.IntN(len(districts))]
		communes := strings.Split(d.communes, ",")
		commune = communes[g.r.IntN(len(communes))]
	}
	m.district = d.name
	m.commune = "xã " + commune
	if strings.HasPrefix(commune, "phường") {
		m.commune = commune
	}
	m.village = fmt.Sprintf("thôn %d", 1+g.r.IntN(12))
	respondents := matterKinds[k].respondents
	m.agency = respondents[g.r.IntN(len(respondents))]
	g.matters = append(g.matters, m)
	return m
}

// render writes matter m as a case, with the title and summary phrasings given (-1: any).
func (g *caseGenerator) render(m matter, title, summary int) Case {
	k := matterKinds[m.kind]
	if title < 0 {
		title = g.r.IntN(len(k.titles))
	}
	slots := strings.NewReplacer("{owner}", m.owner, "{plot}", fmt.Sprint(m.plot), "{sheet}", fmt.Sprint(m.sheet),
		"{area}", fmt.Sprint(m.area), "{money}", fmt.Sprint(m.money), "{year}", fmt.Sprint(m.year), "{month}", fmt.Sprint(m.month),
		"{decision}", fmt.Sprint(m.decision), "{plan}", fmt.Sprint(m.plan), "{judgment}", fmt.Sprint(m.judgment),
		"{jyear}", fmt.Sprint(m.judgmentYear), "{project}", m.project, "{other}", m.other, "{martyr}", m.martyr,
		"{company}", m.company, "{district}", m.district, "{commune}", m.commune, "{village}", m.village)
	c := Case{Title: slots.Replace(k.titles[title]), Category: k.category, Field: k.field}
	if summary < 0 {
		summary = g.r.IntN(len(k.summaries))
	}
	if summary < len(k.summaries) {
		s := slots.Replace(k.summaries[summary])
		c.Summary = &s
	}
	r := slots.Replace(m.agency)
	c.Respondent = &r
	return c
}

// later adds one later case of the kind given, 2 weeks to 5 months after the case it follows.
func (g *caseGenerator) later(kind string) {
	if len(g.first) == 0 {
		return
	}
	matterIndex := g.r.IntN(len(g.first))
	orig := g.reg.Cases[g.first[matterIndex]]
	m := g.matters[matterIndex]
	citizen := orig.Persons[0]
	date, _ := time.Parse(time.DateOnly, orig.Date)
	c := LabelledCase{Matter: matterIndex, Kind: kind, Status: "open", Date: date.AddDate(0, 0, 14+g.r.IntN(137)).Format(time.DateOnly),
		Delegation: -1, Persons: []int{g.returning(citizen)}}
	k := matterKinds[m.kind]
	switch kind {
	case KindReturning:
		c.Case = g.retell(orig.Case, m)
	case KindHousehold:
		c.Case = g.retell(orig.Case, m)
		c.Persons = []int{g.familyMember(citizen)}
	case KindDelegation:
		c.Case = g.retell(orig.Case, m)
		if orig.Delegation >= 0 {
			// a member of the delegation that brought it comes alone
			reps := g.reg.Delegations[orig.Delegation].Representatives
			c.Persons = []int{g.returning(reps[g.r.IntN(len(reps))])}
		} else {
			c.Delegation, c.Persons = g.delegation(m, citizen)
			title := "Đoàn công dân " + m.village + ", " + m.commune + " " + lowerFirst(c.Title)
			c.Title = title
		}
	case KindRespondent:
		c.Case = g.retell(orig.Case, m)
		r := g.respondentVariant(*orig.Respondent)
		c.Respondent = &r
	case KindField:
		c.Case = g.retell(orig.Case, m)
		c.Field = neighbourField(k.field)
		c.Case = g.synonyms(c.Case, 0.9)
	case KindNeighbour:
		// another household displaced by the same project, against the same respondent; or,
		// for a matter of no project, another citizen's matter of the same kind and place
		other := g.newCitizen()
		projectIndex := -1
		for i, p := range g.projects {
			if p.name == m.project {
				projectIndex = i
			}
		}
		nm := g.newMatter(m.kind, other, projectIndex)
		nm.agency = m.agency
		if !k.project {
			nm.commune, nm.district = m.commune, m.district
		}
		c.Matter = len(g.matters) - 1
		c.Case = g.render(nm, -1, -1)
		c.Persons = []int{other}
	case KindOther:
		// the same citizen about another matter, half the time of the same field
		kinds := []int{}
		for i, mk := range matterKinds {
			if (mk.field == k.field) == g.chance(0.5) && i != m.kind {
				kinds = append(kinds, i)
			}
		}
		if len(kinds) == 0 {
			kinds = []int{(m.kind + 1) % len(matterKinds)}
		}
		nm := g.newMatter(kinds[g.r.IntN(len(kinds))], citizen, -1)
		if g.chance(0.5) {
			nm.commune, nm.village, nm.district = m.commune, m.village, m.district
		}
		c.Matter = len(g.matters) - 1
		c.Case = g.render(nm, -1, -1)
	case KindOrdinary:
		citizen := g.newCitizen()
		nm := g.newMatter(g.r.IntN(len(matterKinds)), citizen, -1)
		c.Matter, c.Persons = len(g.matters)-1, []int{citizen}
		c.Case = g.render(nm, -1, -1)
		c.Date = epoch.AddDate(0, 0, 180+g.r.IntN(420)).Format(time.DateOnly)
	}
	if kind == KindNeighbour || kind == KindOther || kind == KindOrdinary {
		// a matter of its own: later cases may repeat it in turn
		g.first = append(g.first, len(g.reg.Cases))
	}
	g.reg.Cases = append(g.reg.Cases, c)
}

// returning is the record a returning citizen is found under: most often their own, else
// another record of them the register holds.
func (g *caseGenerator) returning(citizen int) int {
	copies := g.copies[g.reg.Persons[citizen].Entity]
	if len(copies) > 1 && g.chance(0.35) {
		return copies[g.r.IntN(len(copies))]
	}
	return citizen
}

// familyMember registers someone of citizen's household: the same family name and address
// (written as another clerk would), another given name; a spouse keeps her own family name
// but shares the phone.
func (g *caseGenerator) familyMember(citizen int) int {
	orig := g.reg.Persons[citizen].Person
	gender := "male"
	if g.chance(0.5) {
		gender = "female"
	}
	name := g.name(gender)
	family, _, _ := strings.Cut(orig.FullName, " ")
	spouse := orig.Phone != nil && g.chance(0.2)
	if !spouse {
		_, rest, _ := strings.Cut(name, " ")
		name = family + " " + rest
	}
	born := 1965
	if orig.BirthYear != nil {
		born = *orig.BirthYear
	}
	year := born + 20 + g.r.IntN(10)
	if g.chance(0.4) || year > 2006 {
		// a brother or sister; a child old enough to come alone is at least eighteen
		year = born + g.r.IntN(9) - 4
	}
	p := Person{FullName: name, Gender: gender, BirthYear: &year, Address: orig.Address}
	if orig.Address != nil && g.chance(0.3) {
		p.Address = ptr(abbreviate(*orig.Address))
	}
	if spouse {
		p.Phone = orig.Phone
	}
	g.reg.Persons = append(g.reg.Persons, Labelled{Person: p, Entity: g.nextEntity, Role: RoleHousehold})
	g.nextEntity++
	return len(g.reg.Persons) - 1
}

// delegation makes a delegation of m's village with citizen among its representatives, and
// returns it with the persons named at its visit: the representatives who came (not always
// the citizen).
func (g *caseGenerator) delegation(m matter, citizen int) (int, []int) {
	d := GeneratedDelegation{Name: "Đoàn công dân " + m.village + ", " + m.commune, Members: 11 + g.r.IntN(30),
		Representatives: []int{citizen}}
	for range 1 + g.r.IntN(2) {
		d.Representatives = append(d.Representatives, g.newCitizen())
	}
	g.reg.Delegations = append(g.reg.Delegations, d)
	came := d.Representatives[1:]
	if g.chance(0.5) {
		came = d.Representatives
	}
	return len(g.reg.Delegations) - 1, came
}

// retell writes the same matter again the way another clerk would: half the time the old
// title reworded, else a title of their own; a summary of their own or none; abbreviations,
// synonyms, words left out, diacritics dropped.
func (g *caseGenerator) retell(orig Case, m matter) Case {
	k := matterKinds[m.kind]
	var c Case
	if g.chance(0.5) {
		c = orig
		c.Summary = nil
		if g.chance(0.6) {
			nc := g.render(m, -1, -1)
			c.Summary = nc.Summary
		}
	} else {
		summary := -1
		if g.chance(0.3) {
			summary = len(k.summaries) // none
		}
		c = g.render(m, -1, summary)
	}
	c.Respondent = orig.Respondent
	if g.chance(0.1) {
		c.Respondent = nil
	}
	c = g.synonyms(c, 0.4)
	words := strings.Fields(c.Title)
	if g.chance(0.3) && len(words) > 6 {
		i := g.r.IntN(len(words))
		words = append(words[:i], words[i+1:]...)
	}
	c.Title = strings.Join(words, " ")
	if g.chance(0.2) {
		c.Title = StripDiacritics(c.Title)
	}
	if c.Summary != nil && g.chance(0.2) {
		s := StripDiacritics(*c.Summary)
		c.Summary = &s
	}
	if g.chance(0.1) {
		c.Category = map[string]string{"complaint": "petition", "petition": "complaint", "feedback": "petition", "denunciation": "feedback"}[c.Category]
	}
	return c
}

// clerkWords are the other words clerks use for the same thing.
var clerkWords = [][2]string{
	{"bồi thường", "đền bù"}, {"giấy chứng nhận quyền sử dụng đất", "sổ đỏ"}, {"giấy chứng nhận quyền sử dụng đất", "GCNQSDĐ"},
	{"thửa đất số", "thửa"}, {"tờ bản đồ số", "tờ BĐ"}, {"Khiếu nại", "Không đồng ý"}, {"Đề nghị", "Kiến nghị"},
	{"bảo hiểm xã hội", "BHXH"}, {"chế độ", "chính sách"}, {"UBND", "Ủy ban nhân dân"}, {"lấn chiếm", "lấn"},
	{"Tố cáo", "Đơn tố cáo"}, {"Phản ánh", "Kiến nghị"}, {"người có công với cách mạng", "người có công"},
}

func (g *caseGenerator) synonyms(c Case, p float64) Case {
	for _, w := range clerkWords {
		if g.chance(p) {
			c.Title = strings.ReplaceAll(c.Title, w[0], w[1])
			if c.Summary != nil {
				s := strings.ReplaceAll(*c.Summary, w[0], w[1])
				c.Summary = &s
			}
		}
	}
	return c
}

// respondentVariants are the ways clerks write the same agency.
var respondentVariants = [][2]string{
	{"UBND huyện ", "UBND H. "}, {"UBND huyện ", "Chủ tịch UBND huyện "}, {"UBND huyện ", "Ủy ban nhân dân huyện "},
	{"UBND xã ", "Chủ tịch UBND xã "}, {"UBND xã ", "UBND X. "}, {"UBND thành phố ", "UBND TP "},
	{"Sở Tài nguyên và Môi trường", "Sở TN&MT"}, {"Sở Lao động - Thương binh và Xã hội", "Sở LĐ-TB&XH"},
	{"Sở Lao động - Thương binh và Xã hội", "Giám đốc Sở LĐTBXH"}, {"Tòa án nhân dân", "TAND"},
	{"Chi cục Thi hành án dân sự", "Chi cục THADS"}, {"Bảo hiểm xã hội", "BHXH"}, {"Văn phòng đăng ký đất đai", "VPĐKĐĐ"},
	{"Trung tâm Phát triển quỹ đất", "TTPTQĐ"},
}

func (g *caseGenerator) respondentVariant(r string) string {
	var fits [][2]string
	for _, v := range respondentVariants {
		if strings.Contains(r, v[0]) {
			fits = append(fits, v)
		}
	}
	if len(fits) == 0 {
		return StripDiacritics(r)
	}
	v := fits[g.r.IntN(len(fits))]
	out := strings.Replace(r, v[0], v[1], 1)
	if g.chance(0.2) {
		out = StripDiacritics(out)
	}
	return out
}

func neighbourField(f string) string {
	return map[string]string{"land": "housing", "housing": "land", "policy": "other", "other": "policy",
		"civil_service": "corruption", "corruption": "civil_service", "judicial": "land"}[f]
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	rs := []rune(s)
	return strings.ToLower(string(rs[0])) + string(rs[1:])
}
