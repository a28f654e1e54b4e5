/*-------------------------------------------------------------------------
 *
 * pipeline.h
 *	  The closed orders behind report_pipeline (pipeline.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_PIPELINE_H
#define SO_PIPELINE_H

#include "sqlstate.h"
#include "cut.h"

extern TimestampTz so_pipeline_fold(SoCut *cut);

#endif							/* SO_PIPELINE_H */
