package dedup

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// LabelledCase is a generated case with the truth about it: cases of one Matter are the same
// matter entered more than once.
type LabelledCase struct {
	Case
	Matter  int
	Role    string // original, duplicate (the matter entered again) or other-matter (a citizen's next matter)
	Persons []int  // indexes of the persons (of the generated register) who came about it
}

// Roles of generated cases.
const (
	RoleOtherMatter = "other-matter"
)

// A matter template per field: the category, the title with its slots, and the respondents.
var matterTemplates = []struct {
	field, category, title, summary, respondent string
}{
	{"land", "complaint", "Khiếu nại việc thu hồi đất của hộ {citizen} tại thửa đất số {plot}, tờ bản đồ số {map}, {commune}",
		"Gia đình cho rằng việc thu hồi {area} m2 đất nông nghiệp tại {village} để thực hiện dự án {project} là không đúng quy định", "UBND {district}"},
	{"land", "complaint", "Khiếu nại mức bồi thường, hỗ trợ cho hộ {citizen} khi thu hồi đất thực hiện dự án {project}",
		"Đề nghị tính lại giá bồi thường {area} m2 đất ở tại {village}, {commune}", "UBND {district}"},
	{"land", "petition", "Đề nghị cấp giấy chứng nhận quyền sử dụng đất thửa số {plot}, tờ bản đồ số {map} tại {village}, {commune}",
		"Hồ sơ của hộ {citizen} nộp tháng {month} năm {year} đến nay chưa được giải quyết", "UBND {commune}"},
	{"land", "complaint", "Tranh chấp ranh giới đất giữa hộ {citizen} và hộ {other} tại {village}, {commune}",
		"Hộ liền kề xây tường rào lấn sang {area} m2 đất của gia đình", "UBND {commune}"},
	{"housing", "feedback", "Phản ánh hộ {other} xây dựng nhà ở trái phép lấn chiếm lối đi chung tại {village}, {commune}",
		"Công trình rộng {area} m2 xây dựng từ tháng {month} năm {year} chưa bị xử lý", "UBND {commune}"},
	{"policy", "petition", "Đề nghị giải quyết chế độ người có công với cách mạng cho thân nhân liệt sĩ {martyr}",
		"Hồ sơ của thân nhân {citizen} đã gửi từ tháng {month} năm {year}", "Sở Lao động - Thương binh và Xã hội"},
	{"policy", "petition", "Kiến nghị được hưởng trợ cấp bảo trợ xã hội cho {citizen} tại {village}, {commune}",
		"Gia đình {citizen} thuộc hộ nghèo năm {year} nhưng chưa được xét trợ cấp", "UBND {commune}"},
	{"civil_service", "denunciation", "Tố cáo cán bộ địa chính {commune} gây khó khăn khi làm thủ tục tách thửa số {plot}, tờ bản đồ số {map}",
		"Cán bộ yêu cầu hộ {citizen} nộp thêm {money} triệu đồng không có trong quy định", "UBND {district}"},
	{"corruption", "denunciation", "Tố cáo Chủ tịch UBND {commune} tham ô tiền hỗ trợ dự án {project}",
		"Số tiền hỗ trợ khoảng {money} triệu đồng không được chi đúng đối tượng", "UBND {district}"},
	{"judicial", "petition", "Kiến nghị xem xét lại bản án dân sự phúc thẩm số {plot}/{year}/DS-PT",
		"Bản án tuyên chia thừa kế {area} m2 đất của hộ {citizen} không đúng", "Tòa án nhân dân tỉnh Quảng Trị"},
	{"other", "feedback", "Phản ánh ô nhiễm môi trường do cơ sở chăn nuôi của hộ {other} tại {village}, {commune}",
		"Mùi hôi và nước thải ảnh hưởng đến {money} hộ dân xung quanh", "UBND {district}"},
	{"other", "petition", "Kiến nghị sửa chữa tuyến đường liên thôn từ {village} đến trung tâm {commune}",
		"Tuyến đường dài {area} m xuống cấp nghiêm trọng từ năm {year}", "UBND {commune}"},
}

var projects = strings.Split("đường tránh Đông Hà,khu công nghiệp Quán Ngang,cảng biển Mỹ Thủy,hồ chứa nước Ái Tử,khu dân cư Nam Đông Hà,điện gió Hướng Linh,đường ven biển Cửa Việt,khu đô thị Bắc Sông Hiếu,nhà máy điện khí Hải Lăng,đường Hồ Chí Minh nhánh Tây", ",")

// GenerateCases returns about n labelled cases about the citizens of persons (the originals of
// a GeneratePersons register), shuffled: each matter's first case, the same matter entered
// again (title reworded, diacritics dropped, respondent abbreviated, by the same citizen, a copy
// of their record, or a neighbour who came about it), and citizens' other matters.
func GenerateCases(n int, persons []Labelled, seed uint64) []LabelledCase {
	g := &generator{r: rand.New(rand.NewPCG(seed, 0x63617365))}
	byEntity := map[int][]int{}
	var originals []int
	for i, p := range persons {
		byEntity[p.Entity] = append(byEntity[p.Entity], i)
		if p.Role == RoleOriginal {
			originals = append(originals, i)
		}
	}
	// a copy of the same citizen's record, if the register has one
	sameCitizen := func(i int) int {
		copies := byEntity[persons[i].Entity]
		return copies[g.r.IntN(len(copies))]
	}
	var out []LabelledCase
	titles := map[string]bool{}
	// two matters never have the same title: a title that repeats is the same matter
	newMatter := func(p Person) Case {
		for {
			c := g.matter(p)
			if !titles[c.Title] {
				titles[c.Title] = true
				return c
			}
		}
	}
	for matter := 0; len(out) < n; matter++ {
		citizen := originals[g.r.IntN(len(originals))]
		c := newMatter(persons[citizen].Person)
		first := LabelledCase{Case: c, Matter: matter, Role: RoleOriginal, Persons: []int{citizen}}
		out = append(out, first)
		copies := 0
		switch x := g.r.Float64(); {
		case x < 0.04:
			copies = 2
		case x < 0.2:
			copies = 1
		}
		for range copies {
			d := LabelledCase{Case: g.reword(c), Matter: matter, Role: RoleDuplicate}
			switch x := g.r.Float64(); {
			case x < 0.9:
				d.Persons = []int{sameCitizen(citizen)}
			default:
				// a relative or neighbour about the same matter
				d.Persons = []int{originals[g.r.IntN(len(originals))]}
			}
			out = append(out, d)
		}
		if g.chance(0.15) {
			matter++
			other := LabelledCase{Case: newMatter(persons[citizen].Person), Matter: matter, Role: RoleOtherMatter, Persons: []int{sameCitizen(citizen)}}
			out = append(out, other)
		}
	}
	out = out[:n]
	g.r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// matter makes up a matter of citizen p.
func (g *generator) matter(p Person) Case {
	t := matterTemplates[g.r.IntN(len(matterTemplates))]
	d := districts[g.r.IntN(len(districts))]
	communes := strings.Split(d.communes, ",")
	commune := "xã " + communes[g.r.IntN(len(communes))]
	if strings.HasPrefix(communes[0], "phường") {
		commune = communes[g.r.IntN(len(communes))]
	}
	slots := strings.NewReplacer(
		"{plot}", fmt.Sprint(1+g.r.IntN(900)), "{map}", fmt.Sprint(1+g.r.IntN(60)),
		"{commune}", commune, "{district}", d.name, "{village}", fmt.Sprintf("thôn %d", 1+g.r.IntN(12)),
		"{project}", projects[g.r.IntN(len(projects))], "{area}", fmt.Sprint(50+g.r.IntN(2000)),
		"{year}", fmt.Sprint(2005+g.r.IntN(19)), "{month}", fmt.Sprint(1+g.r.IntN(12)),
		"{money}", fmt.Sprint(10+g.r.IntN(500)), "{martyr}", g.name("male"),
		"{citizen}", map[string]string{"female": "bà "}[p.Gender]+map[string]string{"male": "ông "}[p.Gender]+p.FullName,
		"{other}", g.name("male"))
	summary := slots.Replace(t.summary)
	respondent := slots.Replace(t.respondent)
	return Case{Title: slots.Replace(t.title), Summary: &summary, Category: t.category, Field: t.field, Respondent: &respondent}
}

// reword enters a matter again the way another clerk would: other words for the same thing,
// words left out, no diacritics, the respondent abbreviated or left blank.
func (g *generator) reword(c Case) Case {
	out := c
	title := c.Title
	if g.chance(0.5) {
		title = strings.NewReplacer("Khiếu nại việc", "Khiếu nại", "của gia đình ", "", "thửa đất số", "thửa",
			"tờ bản đồ số", "tờ BĐ", "Đề nghị", "Kiến nghị", "Tố cáo", "Đơn tố cáo", "Phản ánh việc", "Phản ánh",
			"tại ", "", "Chủ tịch UBND", "Chủ tịch Ủy ban nhân dân").Replace(title)
	}
	words := strings.Fields(title)
	if g.chance(0.3) && len(words) > 6 {
		i := g.r.IntN(len(words))
		words = append(words[:i], words[i+1:]...)
	}
	if g.chance(0.2) && len(words) > 6 {
		i := g.r.IntN(len(words) - 1)
		words[i], words[i+1] = words[i+1], words[i]
	}
	title = strings.Join(words, " ")
	if g.chance(0.25) {
		title = StripDiacritics(title)
	}
	out.Title = title
	switch x := g.r.Float64(); {
	case x < 0.3:
		out.Summary = nil
	case x < 0.5:
		s := StripDiacritics(*c.Summary)
		out.Summary = &s
	}
	switch x := g.r.Float64(); {
	case x < 0.1:
		out.Respondent = nil
	case x < 0.3:
		r := strings.Replace(*c.Respondent, "UBND", "Ủy ban nhân dân", 1)
		out.Respondent = &r
	}
	if g.chance(0.1) {
		// complaint or petition: the clerk's reading of the same request
		out.Category = map[string]string{"complaint": "petition", "petition": "complaint", "feedback": "petition", "denunciation": "feedback"}[c.Category]
	}
	return out
}
