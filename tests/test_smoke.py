import pytest


@pytest.mark.django_db
def test_start_page_lists_public_projects(world, client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Projekt public" in html
    assert "Projekt semipublic" in html
    assert "Projekt protected" not in html
