#include <zstd.h>
/* ZSTD_getErrorCode and the ZSTD_ErrorCode enum, to classify failures (dictionary_wrong, ...). */
#include <zstd_errors.h>
/* ZDICT_trainFromBuffer: dictionary training for the telemetry format. */
#include <zdict.h>
