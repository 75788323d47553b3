package errkind_test

import (
	"errors"
	"fmt"

	"github.com/badgebake/badgebake/errkind"
)

func ExampleOf() {
	errNoBadge := errkind.New(errkind.BadInput, "no Open Badges data in image")
	err := fmt.Errorf("baked.png: %w", errNoBadge)
	fmt.Println(errkind.Of(err), errors.Is(err, errNoBadge))
	fmt.Println(errkind.Of(errors.New("connection refused")))
	// Output:
	// bad input true
	// unknown
}
