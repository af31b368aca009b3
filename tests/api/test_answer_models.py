"""Operations that answer the same type share one answer model (kefu.api.schema, issue 14), and the
answers and the API's description are what ninja's own wrappers give."""

from ninja import Schema
from ninja.operation import Operation

from kefu.api.schema import Error, _build_answer_model
from kefu.api.urls import api


def _operations():
    for _prefix, router in api._routers:
        for view in router.path_operations.values():
            yield from view.operations


def test_every_operation_shares_the_wrapper_of_its_answer_type():
    models, types = set(), set()
    for operation in _operations():
        for model in operation.response_models.values():
            if model is None:  # an answer without a body (204)
                continue
            models.add(id(model))
            types.add(model.model_fields["response"].annotation)
        assert operation.response_models[404] is operation.response_models[422]
    assert len(models) == len(types)  # one model per type: 743 classes before, for 106 operations
    assert len(list(_operations())) > 100


def test_ninja_still_wraps_an_answer_as_the_shared_model_does():
    # The shared model stands in for ninja's own: same base, one field named "response".
    own = _build_answer_model(Operation.__new__(Operation), Error)
    shared = next(_operations()).response_models[404]
    assert issubclass(own, Schema) and issubclass(shared, Schema)
    assert list(own.model_fields) == list(shared.model_fields) == ["response"]
    assert own.model_json_schema() == shared.model_json_schema()


def test_an_error_answer_and_the_description_keep_their_shape(client, db):
    answer = client.get("/api/v1/tickets/999999999", HTTP_AUTHORIZATION="Bearer nothing")
    assert answer.status_code == 401 and "detail" in answer.json()
    schema = client.get("/api/v1/openapi.json").json()
    ticket = schema["paths"]["/api/v1/tickets/{ticket_id}"]["get"]["responses"]
    assert ticket["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
