package documents

import (
	"strconv"
	"strings"
)

// letterheadLeft is the width of the issuer's column of the letterhead on a portrait page; the
// national name takes the rest.
const letterheadLeft = 68

// title is the document's type as its heading prints it.
func (d *Document) title() string {
	switch d.Kind {
	case Receipt:
		return "GIẤY BIÊN NHẬN"
	case Appointment:
		return "PHIẾU HẸN"
	case Guidance:
		return "PHIẾU HƯỚNG DẪN"
	case Transfer:
		return "PHIẾU CHUYỂN ĐƠN"
	}
	return "THÔNG BÁO"
}

// about is the line under the title saying what the document is about (trích yếu).
func (d *Document) about() string {
	switch d.Kind {
	case Receipt:
		return "Về việc tiếp nhận đơn, thông tin, tài liệu, chứng cứ"
	case Guidance:
		return "Về việc hướng dẫn gửi đơn đến cơ quan có thẩm quyền"
	case Transfer:
		return "Về việc chuyển đơn đến cơ quan có thẩm quyền"
	case Refusal:
		return "Về việc từ chối tiếp công dân"
	case Acceptance:
		if d.Accepted {
			return "Về việc thụ lý giải quyết đơn"
		}
		return "Về việc không thụ lý giải quyết đơn"
	}
	return ""
}

// honorific is how the text addresses the citizen: "ông", "bà", or "ông/bà" when the register
// does not say.
func (d *Document) honorific() string {
	switch d.Person.Gender {
	case "male":
		return "ông"
	case "female":
		return "bà"
	}
	return "ông/bà"
}

// citizen names the citizen in a sentence, with the address when there is one: "bà Nguyễn Thị
// Lan, địa chỉ: thôn 3, xã Hải Thượng".
func (d *Document) citizen() string {
	s := d.honorific() + " " + strings.TrimSpace(d.Person.FullName)
	if a := strings.TrimSpace(d.Person.Address); a != "" {
		s += ", địa chỉ: " + a
	}
	return s
}

// sentence ends s with a full stop unless it already ends with punctuation.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s[len(s)-1:], ".!?;:") {
		return s
	}
	return s + "."
}

// body prints the title and everything between the letterhead and the signatures.
func (d *Document) body(p *page) {
	p.title(d.title(), d.about())
	issuer := strings.TrimSpace(d.Issuer.Name)
	recipients := d.Recipients
	switch d.Kind {
	case Receipt:
		p.paragraph(issuer + " đã nhận của:")
		p.line("Họ và tên: " + d.Person.FullName)
		d.personLines(p)
		p.line("Nội dung vụ việc: " + d.CaseTitle)
		p.line("Ngày nhận: " + shortDate(d.ReceivedOn))
		p.line("Các đơn, thông tin, tài liệu, chứng cứ đã nhận gồm:")
		for i, it := range d.Items {
			p.line(strconv.Itoa(i+1) + ". " + strings.TrimSpace(it))
		}
	case Appointment:
		p.paragraph(issuer + " hẹn " + d.citizen() + " đến làm việc về việc: " + sentence(d.CaseTitle))
		p.line("Thời gian: " + d.AppointmentAt.Format("15") + " giờ " + d.AppointmentAt.Format("04") + " phút, ngày " + shortDate(d.AppointmentAt) + ".")
		p.line("Địa điểm: " + sentence(d.Venue))
	case Guidance:
		p.paragraph("Ngày " + shortDate(d.ReceivedOn) + ", " + issuer + " đã tiếp nhận đơn, ý kiến trình bày của " + d.citizen() + " với nội dung: " + sentence(d.CaseTitle))
		p.paragraph("Căn cứ quy định của pháp luật, nội dung trên không thuộc thẩm quyền giải quyết của " + issuer + ". " +
			issuer + " hướng dẫn " + d.honorific() + " " + d.Person.FullName + " gửi đơn đến " + strings.TrimSpace(d.Addressee) +
			" để được xem xét, giải quyết theo quy định của pháp luật.")
	case Transfer:
		y := p.centered(p.left, p.pdf.GetY(), p.width, "Kính gửi: "+strings.TrimSpace(d.Addressee), regular, sizeTitle)
		p.pdf.SetXY(p.left, y+4)
		p.paragraph("Ngày " + shortDate(d.ReceivedOn) + ", " + issuer + " nhận được đơn của " + d.citizen() + " với nội dung: " + sentence(d.CaseTitle))
		p.paragraph("Căn cứ quy định của pháp luật về tiếp công dân, khiếu nại, tố cáo, " + issuer + " chuyển đơn đến " +
			strings.TrimSpace(d.Addressee) + " để xem xét, giải quyết theo thẩm quyền và thông báo kết quả cho người gửi đơn theo quy định.")
		recipients = append([]string{"Như trên"}, recipients...)
	case Refusal:
		n, words := d.Ground.clause()
		p.paragraph("Căn cứ Điều 9 Luật Tiếp công dân năm 2013;")
		visit := "Ngày " + shortDate(d.Date) + ", " + d.citizen() + " đến " + issuer
		if t := strings.TrimSpace(d.CaseTitle); t != "" {
			visit += " đề nghị được tiếp về việc: " + t
		}
		p.paragraph(sentence(visit))
		p.paragraph(issuer + " từ chối tiếp " + d.honorific() + " " + d.Person.FullName + " vì thuộc trường hợp quy định tại khoản " +
			strconv.Itoa(n) + " Điều 9 Luật Tiếp công dân: " + words + ".")
		if r := strings.TrimSpace(d.Reason); r != "" {
			p.paragraph("Cụ thể: " + sentence(r))
		}
	case Acceptance:
		p.paragraph("Ngày " + shortDate(d.ReceivedOn) + ", " + issuer + " nhận được đơn của " + d.citizen() + " với nội dung: " + sentence(d.CaseTitle))
		if d.Accepted {
			p.paragraph("Sau khi xem xét, đơn đủ điều kiện thụ lý theo quy định của pháp luật. " + issuer + " thông báo thụ lý giải quyết đơn của " +
				d.honorific() + " " + d.Person.FullName + ".")
		} else {
			p.paragraph("Sau khi xem xét, đơn không đủ điều kiện thụ lý theo quy định của pháp luật. " + issuer + " thông báo không thụ lý giải quyết đơn của " +
				d.honorific() + " " + d.Person.FullName + ".")
			p.paragraph("Lý do: " + sentence(d.Reason))
		}
	}
	if c := strings.TrimSpace(d.Content); c != "" {
		p.paragraph(c)
	}
	switch d.Kind {
	case Receipt:
		p.paragraph("Giấy biên nhận được lập thành 02 bản, người nộp giữ 01 bản, " + issuer + " giữ 01 bản.")
	case Appointment:
		p.paragraph("Khi đến, " + d.honorific() + " " + d.Person.FullName + " mang theo phiếu hẹn này và giấy tờ tùy thân.")
	}
	d.footer(p, recipients)
}

// personLines prints the citizen's identity lines of a receipt, those the register has.
func (d *Document) personLines(p *page) {
	for _, l := range []struct{ label, value string }{
		{"Số CCCD/CMND/Hộ chiếu: ", d.Person.IDNumber},
		{"Địa chỉ: ", d.Person.Address},
		{"Số điện thoại: ", d.Person.Phone},
	} {
		if v := strings.TrimSpace(l.value); v != "" {
			p.line(l.label + v)
		}
	}
}

// footer prints the signatures: the signer on the right; on the left the recipients, or on a
// receipt the citizen, who signs it too.
func (d *Document) footer(p *page, recipients []string) {
	p.ensureRoom(footerHeight)
	y := p.pdf.GetY() + 3
	half := p.width / 2
	signer := signatureBlock{authority: d.Signer.Authority, title: d.Signer.Title, name: d.Signer.Name}
	var left float64
	if d.Kind == Receipt {
		signer.note = "(Ký, ghi rõ họ tên)"
		left = p.signature(p.left, y, half-5, signatureBlock{title: "NGƯỜI NỘP", note: signer.note, name: d.Person.FullName})
	} else {
		left = p.recipients(p.left, y, half-5, recipients)
	}
	right := p.signature(p.left+half, y, half, signer)
	p.pdf.SetXY(p.left, max(left, right))
}
