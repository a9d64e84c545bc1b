"""API tests for /api/v1/items."""

from fastapi.testclient import TestClient

BASE = "/api/v1/items"


def create(client: TestClient, name: str = "widget", **extra: object) -> dict:
    response = client.post(BASE, json={"name": name, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def test_create_and_get(client: TestClient) -> None:
    item = create(client, description="a useful widget", quantity=3)
    assert item["id"] > 0
    assert item["quantity"] == 3

    response = client.get(f"{BASE}/{item['id']}")
    assert response.status_code == 200
    assert response.json()["name"] == "widget"


def test_list_paginates(client: TestClient) -> None:
    for n in range(3):
        create(client, name=f"widget-{n}")
    response = client.get(BASE, params={"offset": 1, "limit": 1})
    assert response.status_code == 200
    page = response.json()
    assert page["total"] == 3
    assert [i["name"] for i in page["items"]] == ["widget-1"]


def test_update(client: TestClient) -> None:
    item = create(client)
    response = client.patch(f"{BASE}/{item['id']}", json={"quantity": 7})
    assert response.status_code == 200
    assert response.json()["quantity"] == 7
    assert response.json()["name"] == "widget"


def test_delete(client: TestClient) -> None:
    item = create(client)
    assert client.delete(f"{BASE}/{item['id']}").status_code == 204
    assert client.get(f"{BASE}/{item['id']}").status_code == 404


def test_duplicate_name_conflicts(client: TestClient) -> None:
    create(client)
    assert client.post(BASE, json={"name": "widget"}).status_code == 409


def test_validation(client: TestClient) -> None:
    assert client.post(BASE, json={"name": "", "quantity": -1}).status_code == 422


def test_missing_item(client: TestClient) -> None:
    assert client.get(f"{BASE}/999999").status_code == 404
    assert client.patch(f"{BASE}/999999", json={"quantity": 1}).status_code == 404
