package registry

import "testing"

func TestRepresentativeRangeFollowsArticle29(t *testing.T) {
	cases := []struct {
		members, named int
		ok             bool
	}{
		{2, 0, true}, {2, 2, true}, {2, 3, false},
		{4, 0, true}, {4, 4, true}, {4, 5, false},
		{5, 0, false}, {5, 1, true}, {5, 2, true}, {5, 3, false},
		{8, 3, false},
		{10, 2, true}, {10, 3, false},
		{11, 0, false}, {11, 1, true}, {11, 5, true}, {11, 6, false},
		{12, 4, true},
		{30, 5, true}, {30, 6, false},
	}
	for _, c := range cases {
		err := checkRepresentatives(c.members, c.named)
		if (err == nil) != c.ok {
			t.Errorf("%d members, %d representatives: ok=%v, got %v", c.members, c.named, c.ok, err)
		}
	}
}
