package export

// The Vietnamese labels the register prints for the API's enum values; the import of registers
// (internal/imports) reads them back.
var (
	CategoryLabels = map[string]string{
		"complaint":    "Khiếu nại",
		"denunciation": "Tố cáo",
		"petition":     "Kiến nghị",
		"feedback":     "Phản ánh",
	}
	OutcomeLabels = map[string]string{
		"accepted":    "Thụ lý",
		"guided":      "Trả lại đơn và hướng dẫn",
		"transferred": "Chuyển đơn",
		"urged":       "Đôn đốc",
		"answered":    "Trả lời trực tiếp",
		"refused":     "Từ chối tiếp",
	}
	StatusLabels = map[string]string{
		"open":     "Đang giải quyết",
		"resolved": "Đã giải quyết",
		"closed":   "Đã kết thúc",
	}
)

// label is the Vietnamese label of an enum value; a value without one (added to the API later)
// is printed as it is rather than dropped.
func label(labels map[string]string, key string) string {
	if l, ok := labels[key]; ok {
		return l
	}
	return key
}
