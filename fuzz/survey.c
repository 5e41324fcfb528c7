/* libFuzzer target: fz_survey of targets.h. */
#include "targets.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *d = getenv("FZ_DIGEST");

	(void)argc;
	(void)argv;
	fz_check_digest = d && !strcmp(d, "1");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)fz_survey(data, size);
	return 0;
}
