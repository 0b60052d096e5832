/* core/forms/record_create.c: new records, one or a batch (all or
 * none), through the write path (record_tx.c) in one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/mem.h"
#include "../identity/body.h"
#include "forms_int.h"

/* Check and normalize the values of a new record, then what the store
 * knows of them. */
int fm_values_new(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		  const json_t *given, json_t **out, struct cr_err *err)
{
	json_t *values = NULL;
	int rc = fm_values_build(form, given, &values, err);

	if (rc == 0)
		rc = fm_values_store_check(f, a, form, values, NULL, NULL, err);
	if (rc < 0) {
		json_decref(values);
		return rc;
	}
	*out = values;
	return 0;
}

struct create_job {
	const struct forms *f;
	const struct id_actor *a;
	const struct fm_form *form;
	struct fm_new_record *records;
	json_t **originals; /* values before serials, to re-run */
	size_t n;
	int64_t now_us;
	size_t failed; /* out: which record failed */
	int64_t *ids;  /* out: the new ids, also kept as the write's answer */
};

static int create_job(struct storage_tx *tx, void *arg, struct cr_err *err)
{
	struct create_job *j = arg;
	int rc = fm_tx_form_unchanged(tx, j->form, err);

	for (size_t i = 0; rc == 0 && i < j->n; i++) {
		/* a re-run starts from the checked values again */
		json_decref(j->records[i].values);
		j->records[i].values = json_deep_copy(j->originals[i]);
		rc = fm_tx_record_insert(tx, j->f, j->a, j->form, &j->records[i], j->now_us, err);
		if (rc < 0)
			j->failed = i;
		j->ids[i] = j->records[i].id;
	}
	return rc < 0 ? rc : storage_tx_answer_ids(tx, j->ids, j->n, err);
}

int fm_records_insert(const struct forms *f, const struct id_actor *a, const struct fm_form *form,
		      json_t *const *values, size_t n, const char *action, const char *request_id,
		      int64_t now_us, int64_t *ids, size_t *failed, struct cr_err *err)
{
	struct create_job j = { 0 };
	int rc;

	j.records = cr_calloc(n, sizeof(*j.records));
	for (size_t i = 0; i < n; i++)
		j.records[i].action = action;
	j.f = f;
	j.a = a;
	j.form = form;
	j.originals = (json_t **)values;
	j.n = n;
	j.now_us = now_us;
	j.ids = ids;
	/* ids come from the write's answer: on a replay, the first run's */
	rc = storage_write_ids(f->id->store, a->db, request_id, create_job, &j, ids, n, err);
	*failed = j.failed;
	for (size_t i = 0; i < n; i++) {
		if (rc < 0)
			ids[i] = 0;
		json_decref(j.records[i].values);
	}
	free(j.records);
	return rc;
}

static int records_read_back(const struct forms *f, const struct id_actor *a,
			     const struct fm_form *form, const struct fm_rights *rights,
			     const int64_t *ids, size_t n, json_t **out, struct cr_err *err)
{
	json_t *list = json_array(), *wrap = json_object();
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		json_t *rec = NULL;
		rc = fm_record_read(f, a, form, rights, NULL, ids[i], &rec, err);
		if (rc == 0)
			json_array_append_new(list, rec);
	}
	if (rc == 0)
		rc = fm_records_refs(f, a, form, list, wrap, err);
	if (rc == 0) {
		json_object_set_new(wrap, "records", list);
		*out = wrap;
		return 0;
	}
	json_decref(list);
	json_decref(wrap);
	return rc;
}

static int create_many(const struct forms *f, const struct id_actor *a, int64_t app,
		       const json_t *list, const char *request_id, int64_t now_us, json_t **out,
		       bool one, struct cr_err *err)
{
	struct fm_form form;
	struct fm_rights rights;
	size_t n = json_array_size(list), failed = 0;
	json_t **values = NULL;
	int64_t *ids = NULL;
	int rc = fm_form_load(f, a, app, &form, &rights, err);

	if (rc < 0)
		return rc;
	if (form.version == 0)
		rc = cr_err_set(err, CR_EINVAL, "this app's form has no fields yet");
	if (rc == 0 && (n == 0 || n > FM_BATCH_MAX))
		rc =
		    cr_err_set(err, CR_EINVAL, "'records' must list 1 to %d records", FM_BATCH_MAX);
	if (rc == 0) {
		/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
		values = cr_calloc(n, sizeof(*values));
		ids = cr_calloc(n, sizeof(*ids));
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const json_t *item = json_array_get(list, i);
		static const char *const keys[] = { "values", NULL };
		rc = id_body_keys(item, keys, err);
		if (rc == 0)
			rc = fm_values_new(f, a, &form, json_object_get(item, "values"), &values[i],
					   err);
		if (rc < 0 && !one)
			(void)cr_err_wrap(err, "record %zu", i + 1);
	}
	if (rc == 0) {
		rc = fm_records_insert(f, a, &form, values, n, "create", request_id, now_us, ids,
				       &failed, err);
		if (rc < 0 && !one && rc != CR_EUNAVAIL && rc != CR_EUNKNOWN)
			(void)cr_err_wrap(err, "record %zu", failed + 1);
	}
	if (rc == 0 && one) {
		/* the writer may read back what it wrote as its owner */
		struct fm_rights read = rights;
		read.all_data = true;
		rc = records_read_back(f, a, &form, &read, ids, n, out, err);
		if (rc == 0) {
			json_t *w = *out;
			json_t *rec = json_incref(json_array_get(json_object_get(w, "records"), 0));
			json_object_set(rec, "refs", json_object_get(w, "refs"));
			json_decref(w);
			*out = rec;
		}
	} else if (rc == 0) {
		/* a batch answers with the new ids, in the order given */
		json_t *idl = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(idl, json_integer(ids[i]));
		*out = json_pack("{s:o, s:I}", "ids", idl, "count", (json_int_t)n);
	}
	for (size_t i = 0; values != NULL && i < n; i++)
		json_decref(values[i]);
	free(values);
	free(ids);
	fm_form_free(&form);
	return rc;
}

int fm_record_create(const struct forms *f, const struct id_actor *a, int64_t app,
		     const json_t *body, const char *request_id, int64_t now_us, json_t **out,
		     struct cr_err *err)
{
	json_t *list;
	int rc;

	if (id_body_object(body, err) < 0)
		return CR_EINVAL;
	list = json_pack("[O]", body);
	rc = create_many(f, a, app, list, request_id, now_us, out, true, err);
	json_decref(list);
	return rc;
}

int fm_record_batch(const struct forms *f, const struct id_actor *a, int64_t app,
		    const json_t *body, const char *request_id, int64_t now_us, json_t **out,
		    struct cr_err *err)
{
	static const char *const keys[] = { "records", NULL };
	int rc = id_body_keys(body, keys, err);

	if (rc == 0 && !json_is_array(json_object_get(body, "records")))
		rc = cr_err_set(err, CR_EINVAL, "'records' must be a list of {\"values\"}");
	if (rc == 0)
		rc = create_many(f, a, app, json_object_get(body, "records"), request_id, now_us,
				 out, false, err);
	return rc;
}
