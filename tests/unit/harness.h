/* Shared by the unit tests: cmocka, and `test_x NAME_PATTERN` to run one
 * case alone (cmocka's test filter, '*' wildcards). */
#ifndef STAGEHAND_TEST_HARNESS_H
#define STAGEHAND_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define RUN_TESTS(group, argc, argv)                       \
	do {                                                   \
		if ((argc) > 1)                                    \
			cmocka_set_test_filter((argv)[1]);             \
		return cmocka_run_group_tests(group, NULL, NULL);  \
	} while (0)

#endif
